"""Type detection from bytes and extension together, and the zip checks (no database)."""

import io

import pytest

from fazhi.core.errors import InvalidInput
from fazhi.core.files import detection
from fazhi.core.files.tests import samples


def detect(data: bytes, extension: str) -> detection.FileType:
    return detection.detect(io.BytesIO(data), extension=extension)


def refusal(data: bytes, extension: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        detect(data, extension)
    return caught.value


@pytest.mark.parametrize("key", sorted(samples.BY_TYPE))
def test_each_supported_type_is_recognised_when_bytes_and_extension_agree(key):
    name, data, content_type, extension = samples.BY_TYPE[key]

    found = detect(data, name.rpartition(".")[2])

    assert (found.key, found.content_type, found.extension) == (key, content_type, extension)


@pytest.mark.parametrize("extension", ["jpg", "JPG", "jpeg", "jpe"])
def test_jpeg_accepts_its_usual_extensions_in_any_case(extension):
    assert detect(samples.JPEG, extension) is detection.JPEG


def test_a_png_renamed_pdf_is_refused_as_a_mismatch():
    error = refusal(samples.PNG, "pdf")

    assert error.code == "file_type_mismatch"
    assert (
        str(error.message) == "文件内容是 PNG，扩展名却是 .pdf，两者不一致，请确认文件后重新上传。"
    )


def test_a_docx_named_xlsx_is_refused_as_a_mismatch():
    assert refusal(samples.docx(), "xlsx").code == "file_type_mismatch"


def test_a_known_type_with_an_unsupported_extension_is_refused():
    error = refusal(samples.PDF, "exe")

    assert error.code == "file_type_mismatch"
    assert "请使用 .pdf" in str(error.message)


def test_a_known_type_without_extension_is_refused():
    assert refusal(samples.PDF, "").code == "file_type_mismatch"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        b"GIF89a\x01\x00\x01\x00",
        b"<html><script>alert(1)</script></html>",
        b"plain text that claims to be a pdf",
    ],
)
def test_unknown_content_is_refused_whatever_the_extension(data):
    error = refusal(data, "pdf")

    assert error.code == "file_type_unknown"
    assert str(error.message) == "无法识别文件类型。仅接受 PDF、OFD、DOCX、XLSX、JPEG、PNG 文件。"


def test_a_zip_that_is_no_office_or_ofd_package_is_unknown():
    data = samples.package({"readme.txt": b"hello", "[Content_Types].xml": b"<Types/>"})

    assert refusal(data, "docx").code == "file_type_unknown"


def test_a_package_claiming_two_types_is_unknown():
    data = samples.docx({"xl/workbook.xml": b"<workbook/>"})

    assert refusal(data, "docx").code == "file_type_unknown"


def test_a_corrupt_zip_is_refused():
    data = b"PK\x03\x04" + b"\x00" * 200

    assert refusal(data, "docx").code == "file_archive_corrupt"


def test_a_docx_with_too_many_entries_is_refused():
    data = samples.docx_bomb_many_entries(2000)  # plus the two required entries

    error = refusal(data, "docx")

    assert error.code == "file_archive_too_many_entries"
    assert str(error.message) == "文档内部条目过多（2002 个，上限 2000 个），疑似压缩炸弹，已拒绝。"


def test_a_docx_expanding_past_the_total_limit_is_refused_from_the_directory_alone():
    # 201 MB of zeros compress to about 200 KB: well under any upload limit.
    data = samples.docx_bomb_huge_entry(201 * 1024 * 1024)
    assert len(data) < 1024 * 1024

    error = refusal(data, "docx")

    assert error.code == "file_archive_too_large"
    assert str(error.message) == "文档解压后超过 200 MB，疑似压缩炸弹，已拒绝。"


def test_a_single_entry_with_an_extreme_compression_ratio_is_refused():
    data = samples.docx_bomb_huge_entry(5 * 1024 * 1024)

    error = refusal(data, "docx")

    assert error.code == "file_archive_ratio"
    assert str(error.message) == "文档中有条目的压缩比异常（超过 100:1），疑似压缩炸弹，已拒绝。"


def test_the_zip_limits_follow_the_settings(settings):
    settings.FAZHI_FILES_ZIP_MAX_ENTRIES = 3

    assert refusal(samples.docx_bomb_many_entries(2), "docx").code == (
        "file_archive_too_many_entries"
    )
    assert detect(samples.docx_bomb_many_entries(1), "docx") is detection.DOCX


def test_small_entries_are_not_ratio_checked():
    # 512 KB of zeros compress about 1000:1, but entries under 1 MB are below the ratio floor.
    data = samples.docx({"word/media/blank.bin": b"\0" * (512 * 1024)})

    assert detect(data, "docx") is detection.DOCX


def test_an_encrypted_entry_is_refused():
    data = samples.zip_with_flag("word/secret.xml", b"x" * 40, flag_bits=0x1)

    assert refusal(data, "docx").code == "file_archive_encrypted"


@pytest.mark.parametrize(
    "entry", ["../../etc/cron.d/evil", "/etc/passwd", "word/../../evil.xml", "C:/evil.xml"]
)
def test_entries_with_escaping_paths_are_refused(entry):
    data = samples.docx({entry: b"<x/>"})

    assert refusal(data, "docx").code == "file_archive_bad_path"


@pytest.mark.parametrize(
    ("maker", "entry", "extension"),
    [(samples.docx, "word/vbaProject.bin", "docx"), (samples.xlsx, "xl/vbaProject.bin", "xlsx")],
)
def test_macro_projects_are_refused(maker, entry, extension):
    data = maker({entry: b"\xd0\xcf\x11\xe0"})

    assert refusal(data, extension).code == "file_has_macros"


def test_detection_leaves_the_file_at_its_start():
    stream = io.BytesIO(samples.docx())

    detection.detect(stream, extension="docx")

    assert stream.tell() == 0
