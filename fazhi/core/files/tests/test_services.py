"""file_store(): every accepted type, dedupe, and every refusal leaving nothing behind."""

import hashlib
import io
import tempfile
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.core.errors import InvalidInput, NotAllowed
from fazhi.core.files import storage
from fazhi.core.files.errors import ScanUnavailable
from fazhi.core.files.models import StoredFile
from fazhi.core.files.services import file_store
from fazhi.core.files.tests import samples
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db

GB = 1024**3
MB = 1024**2


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def temp_files(monkeypatch):
    """Every temporary file the store opens, to check that each was closed (and so removed)."""
    opened = []
    real = tempfile.TemporaryFile

    def tracking(*args, **kwargs):
        handle = real(*args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr(tempfile, "TemporaryFile", tracking)
    return opened


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_names(file_storage) -> list[str]:
    found = []

    def walk(path):
        dirs, files = file_storage.listdir(path)
        found.extend(f"{path}/{f}".lstrip("/") for f in files)
        for d in dirs:
            walk(f"{path}/{d}".lstrip("/"))

    walk("")
    return sorted(found)


def assert_nothing_written(file_storage):
    assert StoredFile.objects.count() == 0
    assert not Event.objects.filter(verb="file.store").exists()
    assert stored_names(file_storage) == []


def refused(clerk, agency, data_or_upload, name=None, *, purpose="attachment") -> InvalidInput:
    given = (
        data_or_upload if not isinstance(data_or_upload, bytes) else upload(name, data_or_upload)
    )
    with pytest.raises(InvalidInput) as caught:
        file_store(actor=clerk, agency=agency, upload=given, purpose=purpose, name=name)
    return caught.value


# --- Accepted files ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(samples.BY_TYPE))
def test_each_supported_type_is_stored_under_its_hash(key, agency, clerk, file_storage, temp_files):
    name, data, content_type, extension = samples.BY_TYPE[key]

    stored = file_store(actor=clerk, agency=agency, upload=upload(name, data), purpose="attachment")

    sha256 = hashlib.sha256(data).hexdigest()
    stored.refresh_from_db()
    assert (
        stored.agency,
        stored.sha256,
        stored.size,
        stored.content_type,
        stored.extension,
        stored.original_name,
        stored.purpose,
        stored.uploaded_by,
        stored.scan_status,
    ) == (agency, sha256, len(data), content_type, extension, name, "attachment", clerk, "skipped")
    assert stored_names(file_storage) == [f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"]
    with storage.content_open(sha256) as handle:
        assert handle.read() == data
    event = Event.objects.get(verb="file.store")
    assert (event.actor, event.agency, event.target_id, event.result) == (
        clerk,
        agency,
        str(stored.pk),
        "ok",
    )
    assert event.data == {
        "sha256": sha256,
        "size": len(data),
        "type": content_type,
        "purpose": "attachment",
        "name": name,
        "scan": "skipped",
    }
    assert [handle.closed for handle in temp_files] == [True]


def test_a_plain_file_object_with_a_separate_name_is_accepted(agency, clerk):
    stored = file_store(
        actor=clerk,
        agency=agency,
        upload=io.BytesIO(samples.PDF),
        purpose="attachment",
        name="答复书.pdf",
    )

    assert (stored.original_name, stored.size, stored.content_type) == (
        "答复书.pdf",
        len(samples.PDF),
        "application/pdf",
    )


def test_a_reserved_or_overlong_name_is_kept_repaired(agency, clerk):
    reserved = file_store(
        actor=clerk, agency=agency, upload=upload("CON.pdf", samples.PDF), purpose="attachment"
    )
    long = file_store(
        actor=clerk,
        agency=agency,
        upload=io.BytesIO(samples.PNG),
        purpose="image",
        name="图" * 400 + ".png",
    )

    assert reserved.original_name == "_CON.pdf"
    assert long.original_name == "图" * 116 + ".png"


def test_the_same_bytes_twice_share_one_content_with_two_rows(agency, clerk, file_storage):
    other_agency = AgencyFactory()
    other_clerk = user_with_role(Role.CLERK, agency=other_agency)

    first = file_store(
        actor=clerk, agency=agency, upload=upload("照片.png", samples.PNG), purpose="image"
    )
    second = file_store(
        actor=other_clerk,
        agency=other_agency,
        upload=upload("截图.PNG", samples.PNG),
        purpose="attachment",
    )

    assert first.pk != second.pk
    assert first.sha256 == second.sha256
    assert [(f.agency, f.original_name, f.purpose) for f in (first, second)] == [
        (agency, "照片.png", "image"),
        (other_agency, "截图.PNG", "attachment"),
    ]
    assert len(stored_names(file_storage)) == 1
    assert Event.objects.filter(verb="file.store").count() == 2


def test_a_truncated_stored_copy_is_replaced_not_shared(agency, clerk, file_storage):
    sha256 = hashlib.sha256(samples.PDF).hexdigest()
    file_storage.save(storage.content_name(sha256), ContentFile(samples.PDF[:10]))

    file_store(
        actor=clerk, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
    )

    with storage.content_open(sha256) as handle:
        assert handle.read() == samples.PDF
    assert len(stored_names(file_storage)) == 1


def test_a_clean_scan_is_recorded(agency, clerk, fake_clamd):
    stored = file_store(
        actor=clerk, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
    )

    assert stored.scan_status == StoredFile.ScanStatus.CLEAN
    assert fake_clamd.payloads == [samples.PDF]


# --- Refusals: each writes nothing --------------------------------------------------------------


class DeclaredHuge:
    """An upload that says it is 2 GB and fails the test if anyone reads it."""

    name = "大文件.pdf"
    size = 2 * GB

    def chunks(self, *args, **kwargs):
        raise AssertionError("the size check must come before reading")

    def read(self, *args, **kwargs):
        raise AssertionError("the size check must come before reading")


def test_a_2gb_upload_is_refused_on_its_declared_size_before_reading(
    agency, clerk, file_storage, temp_files
):
    error = refused(clerk, agency, DeclaredHuge())

    assert error.code == "file_too_large"
    assert str(error.message) == "文件超过“附件”允许的大小上限 20 MB，请压缩或拆分后重新上传。"
    assert temp_files == []
    assert_nothing_written(file_storage)


class EndlessPdf(io.RawIOBase):
    """A stream with no declared size that would go on forever: the byte count stops it."""

    name = "无尽.pdf"

    def __init__(self):
        self.served = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = (b"%PDF-1.7\n" if self.served == 0 else b"") + b"0" * (len(buffer) - 9)
        chunk = chunk[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


def test_an_undeclared_stream_is_cut_off_at_the_limit(agency, clerk, file_storage, temp_files):
    stream = EndlessPdf()

    error = refused(clerk, agency, stream, purpose="image")

    assert error.code == "file_too_large"
    assert str(error.message) == "文件超过“图片”允许的大小上限 10 MB，请压缩或拆分后重新上传。"
    assert 10 * MB < stream.served <= 10 * MB + 64 * 1024
    assert [handle.closed for handle in temp_files] == [True]
    assert_nothing_written(file_storage)


def test_a_size_that_lies_low_is_caught_on_the_actual_bytes(agency, clerk, file_storage):
    padded = samples.package(
        {
            "[Content_Types].xml": samples.CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/pad.bin": b"x" * (11 * MB),
        },
        compression=zipfile.ZIP_STORED,
    )
    liar = upload("表格.xlsx", padded)
    liar.size = 100

    error = refused(clerk, agency, liar, purpose="spreadsheet")

    assert error.code == "file_too_large"
    assert_nothing_written(file_storage)


def test_a_png_renamed_pdf_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, samples.PNG, "扫描件.pdf")

    assert error.code == "file_type_mismatch"
    assert (
        str(error.message) == "文件内容是 PNG，扩展名却是 .pdf，两者不一致，请确认文件后重新上传。"
    )
    assert_nothing_written(file_storage)


def test_a_docx_zip_bomb_is_refused(agency, clerk, file_storage, temp_files):
    bomb = samples.docx_bomb_huge_entry(201 * MB)

    error = refused(clerk, agency, bomb, "审查意见.docx")

    assert error.code == "file_archive_too_large"
    assert [handle.closed for handle in temp_files] == [True]
    assert_nothing_written(file_storage)


def test_a_docx_with_thousands_of_entries_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, samples.docx_bomb_many_entries(2500), "意见.docx")

    assert error.code == "file_archive_too_many_entries"
    assert_nothing_written(file_storage)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "../../etc/report.pdf",
        "/etc/report.pdf",
        "C:\\Users\\clerk\\report.pdf",
        "report.exe\x00.pdf",
        "report\u202efdp.exe",
    ],
)
def test_a_nasty_name_is_refused(name, agency, clerk, file_storage, temp_files):
    error = refused(clerk, agency, io.BytesIO(samples.PDF), name)

    assert error.code == "file_name_invalid"
    assert temp_files == []
    assert_nothing_written(file_storage)


def test_a_name_without_extension_is_refused(agency, clerk, file_storage):
    # What a browser sends for "../../etc/passwd": the base name alone.
    error = refused(clerk, agency, samples.PDF, "passwd")

    assert error.code == "file_type_mismatch"
    assert_nothing_written(file_storage)


def test_an_empty_file_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, b"", "空白.pdf")

    assert error.code == "file_empty"
    assert str(error.message) == "文件是空的（0 字节），请选择正确的文件。"
    assert_nothing_written(file_storage)


def test_an_empty_stream_without_a_size_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, io.BytesIO(b""), "空白.pdf")

    assert error.code == "file_empty"
    assert_nothing_written(file_storage)


def test_an_unknown_type_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "setup.pdf")

    assert error.code == "file_type_unknown"
    assert_nothing_written(file_storage)


def test_a_type_the_use_does_not_take_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, samples.PDF, "照片.pdf", purpose="image")

    assert error.code == "file_type_not_allowed"
    assert str(error.message) == "“图片”只接受 JPEG、PNG 文件，此文件是 PDF。"
    assert_nothing_written(file_storage)


def test_an_unknown_use_is_refused(agency, clerk, file_storage):
    error = refused(clerk, agency, samples.PDF, "a.pdf", purpose="no-such-use")

    assert error.code == "file_purpose_unknown"
    assert_nothing_written(file_storage)


def test_an_infected_file_is_refused_and_the_refusal_recorded(
    agency, clerk, file_storage, fake_clamd, temp_files
):
    error = refused(clerk, agency, samples.PDF + samples.VIRUS_MARKER, "a.pdf")

    assert error.code == "file_infected"
    assert str(error.message) == "文件未通过病毒检查（Eicar-Signature），已拒绝保存。"
    assert StoredFile.objects.count() == 0
    assert stored_names(file_storage) == []
    assert [handle.closed for handle in temp_files] == [True]
    event = Event.objects.get(verb="file.store")
    assert (event.result, event.actor, event.data["reason"], event.data["signature"]) == (
        "refused",
        clerk,
        "infected",
        "Eicar-Signature",
    )


def test_an_unreachable_scanner_fails_closed(agency, clerk, file_storage, absent_clamd):
    with pytest.raises(ScanUnavailable) as caught:
        file_store(
            actor=clerk, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
        )

    assert (caught.value.code, caught.value.status) == ("file_scan_unavailable", 503)
    assert str(caught.value.message) == "病毒检查服务暂不可用，文件未保存，请稍后重试。"
    assert_nothing_written(file_storage)


def test_a_scanner_error_reply_fails_closed(agency, clerk, file_storage, fake_clamd):
    fake_clamd.reply = b"INSTREAM size limit exceeded. ERROR\0"

    with pytest.raises(ScanUnavailable):
        file_store(
            actor=clerk, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
        )

    assert_nothing_written(file_storage)


def test_a_failure_while_recording_stores_no_content(agency, clerk, file_storage, monkeypatch):
    from fazhi.core import audit

    def broken(*args, **kwargs):
        raise RuntimeError("event log unavailable")

    monkeypatch.setattr(audit, "record", broken)

    with pytest.raises(RuntimeError):
        file_store(
            actor=clerk, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
        )

    assert StoredFile.objects.count() == 0
    assert stored_names(file_storage) == []


@pytest.mark.parametrize("role", [Role.DISTRICT_OVERSEER])
def test_a_role_that_never_writes_may_not_upload(role, agency, file_storage):
    overseer = user_with_role(role, agency=agency)

    with pytest.raises(NotAllowed):
        file_store(
            actor=overseer, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
        )

    assert_nothing_written(file_storage)


def test_nobody_uploads_into_another_agency(agency, file_storage):
    outsider = user_with_role(Role.LEGAL_OFFICER)

    with pytest.raises(NotAllowed) as caught:
        file_store(
            actor=outsider, agency=agency, upload=upload("a.pdf", samples.PDF), purpose="attachment"
        )

    assert str(caught.value.message) == "您无权向该机关上传文件。"
    assert_nothing_written(file_storage)


def test_a_text_stream_is_refused_as_not_a_file(agency, clerk, file_storage):
    error = refused(clerk, agency, io.StringIO("%PDF-1.7"), "a.pdf")

    assert (error.code, str(error.message)) == ("file_not_binary", "上传的内容不是文件。")
    assert_nothing_written(file_storage)
