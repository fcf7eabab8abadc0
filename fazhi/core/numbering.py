"""Allocating document numbers: gap-free, never reused, safe under concurrency.

The series row is locked (SELECT … FOR UPDATE) for the length of the caller's transaction, so
two publishers never draw the same number and a rolled-back publication returns its number:
the counter only moves when the whole change commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput
from fazhi.core.models import Agency
from fazhi.core.models.numbering import IssuedNumber, NumberSeries


@dataclass(frozen=True)
class SeriesKind:
    key: str
    label: str
    # The prefix for a new year's series when no earlier year exists, from the agency.
    default_prefix: Callable[[Agency], str]
    template: str = "{prefix}〔{year}〕{n}号"


_KINDS: dict[str, SeriesKind] = {}


def register_series(kind: SeriesKind) -> None:
    _KINDS[kind.key] = kind


def _series_for_update(agency: Agency, key: str, year: int) -> NumberSeries:
    """The locked series row, created on first use from last year's prefix or the default."""
    kind = _KINDS.get(key)
    if kind is None:
        raise InvalidInput(_("未登记的文号序列。"), code="unknown_series")
    for _attempt in range(2):
        series = (
            NumberSeries.objects.select_for_update()
            .filter(agency=agency, key=key, year=year)
            .first()
        )
        if series is not None:
            return series
        previous = (
            NumberSeries.objects.filter(agency=agency, key=key, year__lt=year)
            .order_by("-year")
            .first()
        )
        try:
            with transaction.atomic():
                NumberSeries.objects.create(
                    agency=agency,
                    key=key,
                    year=year,
                    prefix=previous.prefix if previous else kind.default_prefix(agency),
                    template=previous.template if previous else kind.template,
                )
        except IntegrityError:
            continue  # another transaction created it first; lock theirs
    return NumberSeries.objects.select_for_update().get(agency=agency, key=key, year=year)


def number_allocate(
    *,
    actor,
    agency: Agency,
    key: str,
    year: int | None = None,
    target: models.Model | None = None,
    actor_name: str = "",
) -> IssuedNumber:
    """Issue the next number of the series. Caller's transaction holds the series lock.

    `actor` is None for a public submission; `actor_name` then says who drew it."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        series = _series_for_update(agency, key, year)
        value = series.next_value
        NumberSeries.objects.filter(pk=series.pk).update(next_value=models.F("next_value") + 1)
        issued = IssuedNumber.objects.create(
            series=series,
            value=value,
            text=series.render(value),
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            issued_by=actor,
        )
        audit.record(
            "number.issue",
            actor=actor,
            actor_name=actor_name,
            agency=agency,
            target=target,
            data={"series": key, "year": year, "value": value, "text": issued.text},
        )
    return issued


def number_void(*, actor, issued: IssuedNumber, reason: str) -> IssuedNumber:
    """Mark a number void; it keeps its place and is never given out again."""
    if not reason.strip():
        raise InvalidInput(_("请填写作废原因。"), code="reason_required")
    with transaction.atomic():
        locked = IssuedNumber.objects.select_for_update().select_related("series").get(pk=issued.pk)
        if locked.voided_at is not None:
            raise Conflict(_("该文号已作废。"), code="already_void")
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.void_reason = reason.strip()
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        audit.record(
            "number.void",
            actor=actor,
            agency=locked.series.agency,
            data={"text": locked.text, "reason": locked.void_reason},
        )
    return locked
