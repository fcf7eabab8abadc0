"""GET /files/<id>/: permission first, then always an attachment with safe headers."""

import pytest
from django.test import Client
from django.urls import reverse

from fazhi.core.files.services import file_store
from fazhi.core.files.tests import samples
from fazhi.core.files.uses import register_use
from fazhi.core.models import Event
from fazhi.core.roles import Role
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(region="示范区")


@pytest.fixture
def clerk(agency):
    return user_with_role(Role.CLERK, agency=agency)


@pytest.fixture
def stored(agency, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return file_store(
        actor=clerk,
        agency=agency,
        upload=SimpleUploadedFile("行政复议决定书 2026.pdf", samples.PDF),
        purpose="attachment",
    )


def url(stored_or_pk) -> str:
    return reverse("files:download", args=[getattr(stored_or_pk, "pk", stored_or_pk)])


def test_a_reader_of_the_agency_downloads_it_as_an_attachment(agency, stored):
    leader = user_with_role(Role.LEADER, agency=agency)

    response = verified_client(leader).get(url(stored))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(samples.PDF))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"2026.pdf\"; filename*=UTF-8''"
        "%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE%E5%86%B3%E5%AE%9A%E4%B9%A6%202026.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    event = Event.objects.get(verb="file.download")
    assert (event.actor, event.agency, event.target_id, event.result, event.data) == (
        leader,
        agency,
        str(stored.pk),
        "ok",
        {"sha256": stored.sha256, "purpose": "attachment"},
    )


def test_a_non_ascii_name_falls_back_to_a_made_up_ascii_name(agency, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = file_store(
        actor=clerk,
        agency=agency,
        upload=SimpleUploadedFile("现场照片.jpeg", samples.JPEG),
        purpose="image",
    )

    response = verified_client(clerk).get(url(photo))

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        f'attachment; filename="file-{photo.pk}.jpeg"; '
        "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpeg"
    )


def test_the_district_overseer_of_the_region_may_read(agency, stored):
    overseer = user_with_role(Role.DISTRICT_OVERSEER, agency=AgencyFactory(region="示范区"))

    assert verified_client(overseer).get(url(stored)).status_code == 200


def test_another_agency_gets_404_and_the_refusal_is_recorded(stored):
    outsider = user_with_role(Role.LEGAL_OFFICER, agency=AgencyFactory(region="别的区"))

    response = verified_client(outsider).get(url(stored))

    assert response.status_code == 404
    event = Event.objects.get(verb="file.download")
    assert (event.actor, event.target_id, event.result) == (outsider, str(stored.pk), "refused")


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR])
def test_the_administrators_read_no_business_files(role, agency, stored):
    admin = user_with_role(role, agency=agency)

    assert verified_client(admin).get(url(stored)).status_code == 404


def test_a_missing_file_is_the_same_404(clerk, stored):
    response = verified_client(clerk).get(url(stored.pk + 1000))

    assert response.status_code == 404
    assert not Event.objects.filter(verb="file.download").exists()


def test_anonymous_callers_are_sent_to_log_in(stored):
    response = Client().get(url(stored))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url(stored)}"
    assert not Event.objects.filter(verb="file.download").exists()


def test_a_user_who_has_not_passed_the_second_factor_is_sent_back_to_the_gate(agency, stored):
    leader = user_with_role(Role.LEADER, agency=agency)  # leaders must use TOTP
    client = Client()
    client.force_login(leader)

    response = client.get(url(stored))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_enrol")
    assert not Event.objects.filter(verb="file.download").exists()


def test_only_get_is_answered(clerk, stored):
    assert verified_client(clerk).post(url(stored)).status_code == 405


def test_a_use_can_narrow_who_reads_its_files(agency, clerk, restore_uses):
    from django.core.files.uploadedfile import SimpleUploadedFile

    register_use(
        "legal_opinion",
        label="法律意见",
        allowed_types={"pdf"},
        max_bytes=1024 * 1024,
        can_read=lambda user, stored_file: user == stored_file.uploaded_by,
    )
    opinion = file_store(
        actor=clerk,
        agency=agency,
        upload=SimpleUploadedFile("意见.pdf", samples.PDF),
        purpose="legal_opinion",
    )
    colleague = user_with_role(Role.LEGAL_OFFICER, agency=agency)

    assert verified_client(clerk).get(url(opinion)).status_code == 200
    assert verified_client(colleague).get(url(opinion)).status_code == 404


def test_a_file_whose_use_is_gone_is_not_served(agency, clerk, stored, restore_uses):
    from fazhi.core.files import uses

    del uses._USES["attachment"]

    assert verified_client(clerk).get(url(stored)).status_code == 404


def test_content_missing_from_storage_is_a_404_not_a_500(clerk, stored, file_storage, file_logs):
    from fazhi.core.files.storage import content_name

    file_storage.delete(content_name(stored.sha256))

    assert verified_client(clerk).get(url(stored)).status_code == 404
    assert [r.getMessage() for r in file_logs.records if r.name == "fazhi.files"] == [
        f"content of file {stored.pk} ({stored.sha256}) is missing from storage"
    ]
