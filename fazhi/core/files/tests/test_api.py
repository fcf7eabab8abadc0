"""The file routes of the API: upload, record, content; the project's error shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fazhi.api.tokens import token_create
from fazhi.core.files.models import StoredFile
from fazhi.core.files.services import file_store
from fazhi.core.files.tests import samples
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.urls("fazhi.core.files.tests.api_urls")]
BASE = "/api-test/files"


def bearer(user) -> Client:
    _record, token = token_create(user=user, name="测试")
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def agency():
    return AgencyFactory(code="shimin", region="示范区")


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency, username="zhang.clerk")


def test_upload_answers_the_record(agency, clerk):
    response = bearer(clerk).post(
        f"{BASE}/",
        {"purpose": "attachment", "file": SimpleUploadedFile("复议决定.pdf", samples.PDF)},
    )

    assert response.status_code == 201
    stored = StoredFile.objects.get()
    body = response.json()
    assert body == {
        "id": str(stored.pk),
        "name": "复议决定.pdf",
        "size": len(samples.PDF),
        "content_type": "application/pdf",
        "extension": "pdf",
        "purpose": "attachment",
        "sha256": stored.sha256,
        "agency": "shimin",
        "uploaded_by": "zhang.clerk",
        "uploaded_at": body["uploaded_at"],
        "scan_status": "skipped",
        "download_url": f"/files/{stored.pk}/",
    }


def test_a_refused_upload_answers_422_with_code_and_chinese_message(clerk):
    response = bearer(clerk).post(
        f"{BASE}/",
        {"purpose": "attachment", "file": SimpleUploadedFile("扫描件.pdf", samples.PNG)},
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "file_type_mismatch",
        "message": "文件内容是 PNG，扩展名却是 .pdf，两者不一致，请确认文件后重新上传。",
        "detail": None,
    }
    assert StoredFile.objects.count() == 0


def test_an_unreachable_scanner_answers_503(clerk, absent_clamd):
    response = bearer(clerk).post(
        f"{BASE}/", {"purpose": "attachment", "file": SimpleUploadedFile("a.pdf", samples.PDF)}
    )

    assert response.status_code == 503
    assert response.json()["code"] == "file_scan_unavailable"


def test_uploading_into_another_agency_is_403_whether_or_not_it_exists(clerk):
    AgencyFactory(code="other")
    client = bearer(clerk)

    for code in ("other", "no-such-agency"):
        response = client.post(
            f"{BASE}/",
            {
                "purpose": "attachment",
                "agency": code,
                "file": SimpleUploadedFile("a.pdf", samples.PDF),
            },
        )
        assert (response.status_code, response.json()["code"]) == (403, "not_allowed")
    assert StoredFile.objects.count() == 0


def test_record_and_content_for_a_reader_404_for_others(agency, clerk):
    stored = file_store(
        actor=clerk,
        agency=agency,
        upload=SimpleUploadedFile("截图.png", samples.PNG),
        purpose="image",
    )
    outsider = user_with_role(Role.CLERK, agency=AgencyFactory(region="别的区"))

    record = bearer(clerk).get(f"{BASE}/{stored.pk}")
    content = bearer(clerk).get(f"{BASE}/{stored.pk}/content")

    assert record.status_code == 200
    assert record.json()["sha256"] == stored.sha256
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == samples.PNG
    assert content["Content-Type"] == "image/png"
    assert content["Content-Disposition"].startswith(f'attachment; filename="file-{stored.pk}.png"')
    assert Event.objects.filter(verb="file.download", result="ok").count() == 1
    for path in (f"{BASE}/{stored.pk}", f"{BASE}/{stored.pk}/content", f"{BASE}/x1/content"):
        response = bearer(outsider).get(path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_without_credentials_the_api_answers_401(clerk):
    response = Client().post(f"{BASE}/", {"purpose": "attachment"})

    assert response.status_code == 401


def test_a_non_ascii_digit_id_is_not_found(clerk):
    # "³" passes str.isdigit() but is no id: not found, never a server error.
    client = bearer(clerk)
    for raw in ("³", "٣", "1" * 19):
        assert client.get(f"{BASE}/{raw}/content").status_code == 404
        assert client.get(f"{BASE}/{raw}").status_code == 404
