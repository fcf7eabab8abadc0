"""The legal gates of a normative document, as predicates on the record.

Each is used as a guard on a transition (models.py), so the UI, the API, the admin and a crafted
POST meet the same check on the server. They read the stage records, not only the state, so a
document can never be issued without the records that prove each gate.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from fazhi.core import agency_settings
from fazhi.core.calendar import workdays_between

# Validity ceilings by kind (domain-rules.md §2.2), read from the agency's settings.
VALIDITY_SETTING = {
    "normative": "rules.validity_max_years",
    "interim": "rules.validity_interim_max_years",
    "trial": "rules.validity_interim_max_years",
    "notice": "rules.validity_notice_max_years",
}


def has_text(document) -> bool:
    return document.versions.exists()


def consultation_rule(document) -> tuple[int, int]:
    """(minimum working days, minimum calendar days) the consultation must last."""
    workdays = (
        agency_settings.get(document.agency_id, "rules.consultation_min_workdays")
        if document.major_rights
        else 0
    )
    days = (
        agency_settings.get(document.agency_id, "rules.consultation_market_min_days")
        if document.market_related
        else 0
    )
    # Every consultation lasts at least the general period, flags or not.
    if not workdays and not days:
        workdays = agency_settings.get(document.agency_id, "rules.consultation_min_workdays")
    return workdays, days


def period_meets_rule(document, opens_on: date, closes_on: date) -> bool:
    """Both ends count: a period opening Monday and closing Tuesday lasts two days."""
    if closes_on <= opens_on:
        return False
    workdays, days = consultation_rule(document)
    covered_workdays = workdays_between(opens_on - timedelta(days=1), closes_on)
    covered_days = (closes_on - opens_on).days + 1
    return covered_workdays >= workdays and covered_days >= days


def _consultation(document):
    try:
        return document.consultation
    except document._meta.model.consultation.RelatedObjectDoesNotExist:
        return None


def consultation_period_long_enough(document) -> bool:
    consultation = _consultation(document)
    return consultation is not None and period_meets_rule(
        document, consultation.opens_on, consultation.closes_on
    )


def consultation_period_over(document) -> bool:
    consultation = _consultation(document)
    return consultation is not None and timezone.localdate() > consultation.closes_on


def consultation_done(document) -> bool:
    """Consultation finished (period over, every comment answered, report published), or an
    exemption on a stated legal ground approved by the legal office."""
    if document.exemption_approved_by_id and document.exemption_ground.strip():
        return True
    consultation = _consultation(document)
    return bool(
        consultation is not None
        and timezone.localdate() > consultation.closes_on
        and consultation.report_published_at is not None
        and not consultation.comments.filter(response="").exists()
    )


def latest_review(document):
    return document.reviews.order_by("-started_on", "-pk").first()


def review_long_enough(document) -> bool:
    """The review lasted at least the minimum working days (setting; UNCONFIRMED default 5)."""
    review = latest_review(document)
    if review is None or review.decided_on is None:
        return False
    minimum = agency_settings.get(document.agency_id, "rules.legality_review_min_workdays")
    return workdays_between(review.started_on, review.decided_on) >= minimum


def review_passed(document) -> bool:
    review = latest_review(document)
    return bool(review and review.opinion == "pass" and review_long_enough(document))


def decision_adopted(document) -> bool:
    """An adopting decision taken after the passing review (a later review needs a new one)."""
    review = latest_review(document)
    if review is None or review.decided_on is None:
        return False
    return document.decisions.filter(adopted=True, meeting_date__gte=review.decided_on).exists()


def validity_within_limit(document, valid_until: date | None) -> bool:
    if document.effective_on is None or valid_until is None:
        return False
    years = agency_settings.get(document.agency_id, VALIDITY_SETTING[document.kind])
    try:
        ceiling = document.effective_on.replace(year=document.effective_on.year + years)
    except ValueError:  # 29 February
        ceiling = document.effective_on.replace(year=document.effective_on.year + years, day=28)
    return valid_until <= ceiling - timedelta(days=1)


def numbered(document) -> bool:
    return document.doc_number_id is not None


def ready_to_issue(document) -> bool:
    return bool(
        document.interpretation.strip()
        and document.published_on
        and document.effective_on
        and document.valid_until
        and document.effective_on >= document.published_on
        and document.valid_until > document.effective_on
        and (
            validity_within_limit(document, document.valid_until)
            or document.validity_reason.strip()
        )
    )


def countersign_settled(document) -> bool:
    """会签 before consultation is optional; once asked, it must be agreed before publishing
    the draft (a department that disagrees is answered in a new round)."""
    from fazhi.core.workflow import countersign_outcome

    return countersign_outcome(document, "drafting") in (None, "agreed")


def cleanup_all_confirmed(campaign) -> bool:
    """Every document in the cleanup has its result confirmed by the legal office."""
    return not campaign.items.filter(result="").exists()
