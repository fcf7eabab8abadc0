"""The uploader's file name: refused when it is a path or carries controls, otherwise made safe."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fazhi.core.errors import InvalidInput
from fazhi.core.files.names import (
    MAX_NAME_LENGTH,
    ascii_fallback,
    clean_name,
    content_disposition,
    extension_of,
)


@pytest.mark.parametrize(
    "raw",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "/var/www/report.pdf",
        "C:\\Windows\\System32\\report.pdf",
        "..\\..\\boot.ini",
        "..",
        "report.pdf\x00.exe",
        "evil\x00",
        "line\r\nSet-Cookie: x=1.pdf",
        "invoice\u202efdp.exe",
    ],
)
def test_paths_and_control_characters_are_refused(raw):
    with pytest.raises(InvalidInput) as caught:
        clean_name(raw)

    assert caught.value.code == "file_name_invalid"


def test_the_path_refusal_says_what_is_wrong():
    with pytest.raises(InvalidInput) as caught:
        clean_name("../../etc/passwd")

    assert (
        str(caught.value.message) == "文件名不能包含路径（“/”“\\”或“..”），请只用文件本身的名称。"
    )


@pytest.mark.parametrize("raw", ["", "   ", "...", " . "])
def test_empty_names_are_refused(raw):
    with pytest.raises(InvalidInput) as caught:
        clean_name(raw)

    assert caught.value.code == "file_name_invalid"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("行政复议决定书.pdf", "行政复议决定书.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("nul.tar.docx", "_nul.tar.docx"),
        ("LPT9", "_LPT9"),
        ("console.pdf", "console.pdf"),
        ('a<b>c:d"e|f?g*.pdf', "a_b_c_d_e_f_g_.pdf"),
        ("  .hidden.pdf. ", "hidden.pdf"),
        # NFD "é" (e + combining acute) is stored composed.
        ("cafe\u0301.png", "caf\u00e9.png"),
    ],
)
def test_names_are_repaired_for_display(raw, clean):
    assert clean_name(raw) == clean


def test_very_long_names_are_shortened_keeping_the_extension():
    cleaned = clean_name("很" * 300 + ".docx")

    assert cleaned == "很" * (MAX_NAME_LENGTH - 5) + ".docx"
    assert len(cleaned) == MAX_NAME_LENGTH


def test_a_long_pseudo_extension_is_shortened_with_the_name():
    cleaned = clean_name("a." + "b" * 300)

    assert len(cleaned) == MAX_NAME_LENGTH
    assert extension_of(cleaned) == "b" * (MAX_NAME_LENGTH - 2)


@pytest.mark.parametrize(
    ("name", "ext"), [("a.PDF", "pdf"), ("a.tar.gz", "gz"), ("passwd", ""), (".pdf", "")]
)
def test_extension_of(name, ext):
    assert extension_of(name) == ext


def test_the_ascii_fallback_keeps_what_ascii_can_say():
    assert ascii_fallback("Report 2026 (final).pdf", default_stem="file-1") == (
        "Report_2026_final.pdf"
    )
    assert ascii_fallback("行政复议决定书.pdf", default_stem="file-7") == "file-7.pdf"
    assert ascii_fallback('x"y\\z.pdf', default_stem="f") == "x_y_z.pdf"


def test_content_disposition_is_an_attachment_with_both_names():
    header = content_disposition('行政复议 决定书;"1".pdf', default_stem="file-3")

    assert header == (
        'attachment; filename="1.pdf"; '
        "filename*=UTF-8''%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE%20%E5%86%B3%E5%AE%9A%E4%B9%A6"
        "%3B%221%22.pdf"
    )


@given(st.text(max_size=300))
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_name_is_refused_or_comes_out_safe_and_fits_one_ascii_header_line(raw):
    try:
        cleaned = clean_name(raw)
    except InvalidInput as error:
        assert error.code == "file_name_invalid"
        return
    assert 0 < len(cleaned) <= MAX_NAME_LENGTH
    assert not set(cleaned) & set('/\\<>:"|?*\x00\r\n')
    assert cleaned == cleaned.strip(" .")
    header = content_disposition(cleaned, default_stem="file-1")
    assert header.isascii()
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="')
