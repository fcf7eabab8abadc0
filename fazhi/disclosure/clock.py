"""The statutory clock of a disclosure request, as pure functions of its records.

Nothing here reads or writes the database except `Rules.for_agency`, which reads the agency's
settings; `due_date()` takes the request's facts and the rules as values and answers the reply
deadline with a Chinese explanation of how it was reached. Dates come only from the working-day
calendar (`add_workdays`, `workdays_between`), so 调休 and holidays are honoured and years
without a confirmed schedule make the answer provisional, never an exception.

The rules (OGI = 《政府信息公开条例》 2019, domain-rules.md §1.1 and §9):

* Date of receipt (Art. 31): handed in → that day; registered post → the day the agency signs
  for it; ordinary post → the day the office confirms with the applicant; internet or fax → the
  day both sides confirm (the portal's tracking number is that confirmation).
* Reply within `reply_workdays` (20) working days of receipt (Art. 33); the day of receipt is not
  counted (民法典 Art. 201): the deadline is the 20th working day after it.
* 补正 (Art. 30): one notice within `supplement_notice_workdays` (7) of receipt; while the
  applicant has not supplemented, the clock has not started (`due_on` is None); it starts again
  from the day the supplement is received.
* Consultation of third parties, co-producers and other agencies (Art. 32–34) is not counted:
  each consultation pauses the clock for the working days after the letter is sent up to and
  including the answer, at most up to its own deadline (15 working days: after that the agency
  decides itself). A consultation still open is counted up to its deadline (the latest the clock
  can stand still) and the result says so. Overlapping consultations are counted once. A
  consultation begun after the deadline had already passed changes nothing.
* A fee notice pauses the clock in the same way until payment, at most to the payment deadline
  (setting `disclosure.fee_pauses_clock`, UNCONFIRMED).
* One extension of at most `extension_workdays` (20) working days (Art. 33 ¶2): `Facts` holds
  at most one, and `services.extension_approve` refuses more than the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from fazhi.core.calendar import add_workdays, format_day, unconfirmed_years, workdays_between
from fazhi.core.calendar.workdays import provisional_note
from fazhi.core.errors import InvalidInput
from fazhi.disclosure.choices import CONFIRMED_CHANNELS, Channel

# --- The rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The agency's numbers for the clock (defaults: domain-rules.md §1.1)."""

    reply_workdays: int = 20
    extension_workdays: int = 20
    supplement_notice_workdays: int = 7
    consultation_workdays: int = 15
    fee_pauses_clock: bool = True

    @classmethod
    def for_agency(cls, agency) -> Rules:
        from fazhi.core import agency_settings

        def get(key):
            return agency_settings.get(agency, f"disclosure.{key}")

        return cls(
            reply_workdays=int(get("reply_workdays")),
            extension_workdays=int(get("extension_workdays")),
            supplement_notice_workdays=int(get("supplement_notice_workdays")),
            consultation_workdays=int(get("third_party_workdays")),
            fee_pauses_clock=bool(get("fee_pauses_clock")),
        )


# --- Date of receipt (Art. 31) ----------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    received_on: date
    rule: str


def date_of_receipt(channel: str, arrived_on: date | None, confirmed_on: date | None) -> Receipt:
    """The date of receipt by the channel's rule; raises InvalidInput when a date is missing.

    `arrived_on` is the day the application was handed in, made orally, submitted online or
    signed for; `confirmed_on` the day the office confirmed it with the applicant.
    """
    if channel not in Channel.values:
        raise InvalidInput(_("请选择申请方式。"), code="channel_invalid")
    if arrived_on is None:
        raise InvalidInput(_("请填写申请送达或提交的日期。"), code="arrived_on_required")
    if channel in CONFIRMED_CHANNELS:
        if confirmed_on is None:
            raise InvalidInput(
                _("以平常信函、电子邮件或传真提交的申请，请填写与申请人确认的日期。"),
                code="confirmed_on_required",
            )
        if confirmed_on < arrived_on:
            raise InvalidInput(
                _("与申请人确认的日期不能早于申请送达的日期。"), code="confirmed_before_arrival"
            )
        if channel == Channel.ORDINARY_MAIL:
            rule = _("平常信函：以与申请人确认之日为收到申请之日（条例第三十一条第二项）")
        else:
            rule = _("互联网渠道或传真：以双方确认之日为收到申请之日（条例第三十一条第三项）")
        return Receipt(confirmed_on, rule)
    rules = {
        Channel.VISIT: _("当面提交：以提交之日为收到申请之日（条例第三十一条第一项）"),
        Channel.ORAL: _(
            "口头提出、代为填写：以提出之日为收到申请之日（条例第二十九条、第三十一条）"
        ),
        Channel.REGISTERED_MAIL: _(
            "邮政特快专递、挂号信：以行政机关签收之日为收到申请之日（条例第三十一条第二项）"
        ),
        Channel.ONLINE: _("网上申请：提交时即生成申请编号予以确认，以提交之日为收到申请之日"),
        Channel.PLATFORM: _("政务服务平台提交：提交时即予确认，以提交之日为收到申请之日"),
    }
    return Receipt(arrived_on, rules[channel])


# --- Derived deadlines of the procedure -------------------------------------------------------


def supplement_request_notice_deadline(received_on: date, rules: Rules) -> date:
    """The last day for the one 补正 notice (Art. 30)."""
    return add_workdays(received_on, rules.supplement_notice_workdays)


def period_end(start: date, workdays: int) -> date:
    """The last day of a period of `workdays` working days after `start` (start not counted)."""
    return add_workdays(start, workdays)


# --- The facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplementRequest:
    notice_on: date
    supplement_due_on: date
    supplemented_on: date | None = None


@dataclass(frozen=True)
class Pause:
    """A consultation or a fee notice: from `start` (letter sent) to `ended_on` (answer, payment),
    never beyond `limit_on` (the other side's deadline); `ended_on` None = still open."""

    reason: str
    start: date
    limit_on: date
    ended_on: date | None = None

    @property
    def open(self) -> bool:
        return self.ended_on is None

    @property
    def end(self) -> date:
        return self.limit_on if self.ended_on is None else min(self.ended_on, self.limit_on)


@dataclass(frozen=True)
class Extension:
    days: int
    approved_on: date
    approved_by: str = ""


@dataclass(frozen=True)
class Facts:
    received_on: date
    supplement_request: SupplementRequest | None = None
    consultations: tuple[Pause, ...] = ()
    fee: Pause | None = None
    extension: Extension | None = None


@dataclass(frozen=True)
class DueDate:
    # The reply deadline; None while the applicant has not supplemented.
    due_on: date | None
    # The day the 20 working days run from (receipt, or receipt of the supplement).
    start_on: date | None
    # Working days not counted for consultations (and fee, where it pauses).
    paused_workdays: int
    # A consultation or fee notice is still open: counted up to its deadline.
    projected: bool
    # A year without a confirmed holiday schedule was consulted.
    provisional: bool
    explanation: str


# --- The computation --------------------------------------------------------------------------


def _spans(pauses: list[Pause], start: date) -> list[tuple[date, date, list[str], bool]]:
    """Pauses as half-open spans (s, e] after the clock's start, sorted and merged."""
    spans: list[tuple[date, date, list[str], bool]] = []
    for pause in sorted(pauses, key=lambda p: (p.start, p.end)):
        s, e = max(pause.start, start), pause.end
        if e <= s:
            continue  # over before the clock started
        if spans and s <= spans[-1][1]:
            last_s, last_e, reasons, was_open = spans[-1]
            if pause.reason not in reasons:
                reasons.append(pause.reason)
            spans[-1] = (last_s, max(last_e, e), reasons, was_open or pause.open)
            continue
        spans.append((s, e, [pause.reason], pause.open))
    return spans


def due_date(facts: Facts, rules: Rules) -> DueDate:
    """The reply deadline of a request and the words that explain it."""
    steps = [_("收到申请 %(day)s") % {"day": format_day(facts.received_on)}]
    start = facts.received_on
    supplement_request = facts.supplement_request
    if supplement_request is not None:
        steps.append(
            _("补正通知 %(notice)s，补正期限至 %(due)s")
            % {
                "notice": format_day(supplement_request.notice_on),
                "due": format_day(supplement_request.supplement_due_on),
            }
        )
        if supplement_request.supplemented_on is None:
            steps.append(_("等待申请人补正，收到补正材料之日起重新计算答复期限"))
            return DueDate(
                None,
                None,
                0,
                False,
                bool(unconfirmed_years(facts.received_on, supplement_request.supplement_due_on)),
                "；".join(steps) + "。",
            )
        steps.append(
            _("补正材料收到 %(day)s，重新计算")
            % {"day": format_day(supplement_request.supplemented_on)}
        )
        start = supplement_request.supplemented_on
    # The extension is taken as recorded: the service checked it against the limit when it was
    # approved, and a later change of the agency's limit does not rewrite that approval.
    extension = facts.extension
    extra = extension.days if extension is not None else 0
    due = add_workdays(start, rules.reply_workdays + extra)
    steps.append(
        _("自 %(day)s 起 %(n)d 个工作日（开始当日不计入）")
        % {"day": format_day(start), "n": rules.reply_workdays}
    )
    pauses = list(facts.consultations)
    if facts.fee is not None and rules.fee_pauses_clock:
        pauses.append(facts.fee)
    paused = 0
    projected = False
    for s, e, reasons, is_open in _spans(pauses, start):
        values = {
            "reason": "、".join(reasons),
            "start": format_day(s),
            "end": format_day(e),
        }
        if s >= due:
            steps.append(_("%(reason)s（%(start)s起）开始时答复期限已届满，不影响期限") % values)
            continue
        days = workdays_between(s, e)
        due = add_workdays(due, days) if days else due
        paused += days
        values["n"] = days
        text = _("%(reason)s %(n)d 个工作日不计入（%(start)s至%(end)s）") % values
        if is_open:
            projected = True
            text += _("，尚未结束，暂按期限届满计算")
        steps.append(text)
    if extension is not None:
        text = _("延长 %(n)d 个工作日（%(day)s批准") % {
            "n": extension.days,
            "day": format_day(extension.approved_on),
        }
        if extension.approved_by:
            text += _("，批准人：%(who)s") % {"who": extension.approved_by}
        steps.append(text + "）")
    steps.append(_("答复期限 %(due)s") % {"due": format_day(due)})
    years = unconfirmed_years(start + timedelta(days=1), due)
    if years:
        steps.append(provisional_note(years))
    return DueDate(due, start, paused, projected, bool(years), "；".join(steps) + "。")
