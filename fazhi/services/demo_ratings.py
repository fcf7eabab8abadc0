"""Demo ratings (好差评) of the demo year, through the services.

- Most concluded cases are rated; about one in twelve is not (people do not always rate). A case
  taken at a center is rated on the counter device (窗口评价器) by most applicants and on the
  online link by the others; a case from the one-stop platform on the online link issued when
  it concluded. Mostly 非常满意 and 满意, some 基本满意. No rating comes by SMS: the demo never
  texts its made-up mobile numbers (see `demo_cases`).
- Bad reviews (不满意 / 非常不满意): about one in eleven of the ratings of 社会救助科, the section
  whose demo accounts (the clerk 李经办, the head 张科长) run the loop. Every stage is there,
  counted from the newest bad review back: one waiting for its call-back, one called back and
  waiting to be verified, one being fixed whose complex fix went into the oversight
  rectification loop (a finding), one with an appeal (申诉复核) pending, one being fixed, one
  excluded by an approved appeal; the older ones were fixed and answered, or explained.
- The ratings and the loop's steps are dated (`rating_submit(on=...)`, the loop's
  `called_back_on` / `answered_on`), never after today and never before the step they follow.

Built once: only into an agency without any rating yet, so a second run adds nothing and the
demo never rates cases people concluded in the demo site themselves. Deterministic: a case's
choices follow from its case number (`random.Random(number)`) and the bad reviews from the order
of the cases, so the same year gets the same ratings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCase
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingChannel
from fazhi.services.services import rating_followups as loop
from fazhi.services.services import ratings as services

RELIEF = "社会救助科"  # the section the demo's loop accounts work in
UNRATED = 0.08
COUNTER_SHARE = 0.85  # of the cases taken at a center, rated on the counter device
BAD_EVERY = 11  # one rating of RELIEF in BAD_EVERY is a bad review
# Level weights in ‰ of the other ratings: 非常满意, 满意, 基本满意.
LEVELS = ((1, 740), (2, 170), (3, 90))
REASONS = {
    1: (["efficient", "attitude_good"], ["clear_guidance"], ["convenient", "efficient"], []),
    2: (["attitude_good"], ["fair"], []),
    3: (["environment_good"], ["too_many_materials"], []),
}
GOOD_COMMENTS = (
    "工作人员很耐心，一次就办好了。",
    "材料一次告知清楚，没有多跑。",
    "窗口服务热情，效率高。",
)
BAD = (
    (4, ["slow"], "等候时间较长，希望增加窗口。"),
    (5, ["unclear", "too_many_materials"], "材料要求没有一次说清楚，跑了好几趟。"),
    (4, ["attitude_bad"], "窗口工作人员态度生硬，解释不耐心。"),
    (5, ["slow", "system_trouble"], "审核时间太长，网上也查不到办理进度。"),
)
# What happens to the bad reviews, from the newest back; the older ones are answered.
FATES = (
    "awaiting_callback",
    "verifying",
    "finding",
    "appeal_pending",
    "rectifying",
    "appeal_approved",
)
OLDER = ("answered", "answered", "explained")


@dataclass
class _Choice:
    case: ServiceCase
    channel: str
    level: int
    reasons: list
    comment: str
    real_name: bool
    on: date


def _users() -> dict:
    users = get_user_model().objects.filter(
        username__in=[Role.CLERK.value, Role.DEPARTMENT_HEAD.value, Role.LEGAL_OFFICER.value]
    )
    return {u.username: u for u in users}


def _choose(case: ServiceCase, rng: random.Random, *, bad: bool, today: date) -> _Choice:
    at_counter = case.center_id is not None and rng.random() < COUNTER_SHARE
    if at_counter:
        # On the device, the day the applicant was at the window after the conclusion.
        collected = case.delivery_method == "counter" and case.delivered_on is not None
        on = case.delivered_on if collected else case.concluded_on
    else:
        on = case.concluded_on + timedelta(days=rng.randint(0, 4))
    channel = RatingChannel.COUNTER if at_counter else RatingChannel.ONLINE
    if bad:
        level, reasons, comment = rng.choice(BAD)
        real_name = rng.random() < 0.6
    else:
        roll, level = rng.randrange(1000), 1
        for candidate, weight in LEVELS:
            if roll < weight:
                level = candidate
                break
            roll -= weight
        reasons = list(rng.choice(REASONS[level]))
        comment = rng.choice(GOOD_COMMENTS) if rng.random() < 0.15 else ""
        real_name = False
    return _Choice(case, channel, level, reasons, comment, real_name, min(on, today))


def build_ratings_demo(
    agency, *, limit: int | None = None, links: dict[int, dict[str, str]] | None = None
) -> dict[str, int]:
    """Rate the agency's concluded cases (once: nothing when it has ratings already).

    `links`: {case id: {channel: path}} as `case_conclude` returned them (the online link is
    used as the applicant would); a case without one has its online link issued again.
    Returns what it made. The caller should hold a transaction (one commit for the lot).
    """
    made = {"ratings": 0, "bad": 0, "answered": 0, "appeals": 0}
    users = _users()
    clerk = users.get(Role.CLERK.value)
    if clerk is None or Rating.objects.filter(agency=agency).exists():
        return made
    today = timezone.localdate()
    links = links or {}
    cases = (
        ServiceCase.objects.filter(
            agency=agency, state__in=services.RATEABLE_STATES, concluded_on__isnull=False
        )
        .select_related("agency", "item", "department", "center")
        .order_by("concluded_on", "case_number")
    )
    if limit is not None:
        cases = cases[:limit]
    relief_rated = 0
    bad_reviews: list[Rating] = []
    for case in cases:
        rng = random.Random(case.case_number)  # noqa: S311 - demo data, reproducible on purpose
        if rng.random() < UNRATED:
            continue
        bad = False
        if case.department.name == RELIEF:
            bad = relief_rated % BAD_EVERY == BAD_EVERY // 2
            relief_rated += 1
        choice = _choose(case, rng, bad=bad, today=today)
        rating = _submit(choice, clerk, links.get(case.pk, {}))
        made["ratings"] += 1
        if rating.bad:
            made["bad"] += 1
            bad_reviews.append(rating)
    fates = {}
    newest_first = sorted(bad_reviews, key=lambda r: (r.rated_on, r.pk), reverse=True)
    for rank, rating in enumerate(newest_first):
        fates[rating.pk] = FATES[rank] if rank < len(FATES) else OLDER[rank % len(OLDER)]
    for rating in bad_reviews:
        fate = fates[rating.pk]
        follow_up = BadReviewFollowUp.objects.select_related("rating").get(rating=rating)
        state = _follow(follow_up, fate, users, today)
        made["appeals"] += int(fate.startswith("appeal"))
        made["answered"] += int(state == BadReviewFollowUp.State.ANSWERED)
    return made


def _submit(choice: _Choice, clerk, case_links: dict[str, str]) -> Rating:
    common = {
        "level": choice.level,
        "reasons": choice.reasons,
        "comment": choice.comment,
        "real_name": choice.real_name,
        "rater_name": choice.case.applicant_name if choice.real_name else "",
        "on": choice.on,
    }
    if choice.channel == RatingChannel.COUNTER:
        return services.rating_submit(
            channel=RatingChannel.COUNTER, case=choice.case, actor=clerk, **common
        )
    path = (
        case_links.get(RatingChannel.ONLINE)
        or services.rating_link_resend(actor=clerk, case=choice.case, channel=RatingChannel.ONLINE)[
            "path"
        ]
    )
    token = path.rstrip("/").rsplit("/", 1)[1]
    return services.rating_submit(channel=RatingChannel.ONLINE, token=token, **common)


def _follow(follow_up: BadReviewFollowUp, fate: str, users: dict, today: date) -> str:
    """Take the loop as far as the fate says; returns the state reached."""
    clerk = users[Role.CLERK.value]
    head = users.get(Role.DEPARTMENT_HEAD.value)
    officer = users.get(Role.LEGAL_OFFICER.value)
    if fate == "awaiting_callback" or head is None or officer is None:
        return follow_up.state
    rated = follow_up.rating.rated_on
    called = min(add_workdays(rated, 1), today)
    notes = {
        "appeal_pending": "回访时评价人称因申请未获批准而给差评，不愿说明具体问题。",
        "appeal_approved": "回访得知评价人反映的是社区卫生服务中心的收费问题，与本件办理无关。",
    }
    follow_up = loop.follow_up_record_callback(
        actor=clerk, follow_up=follow_up, called_back_on=called,
        note=notes.get(fate, "电话回访评价人，已记录其反映的问题。"),
    )  # fmt: skip
    if fate == "appeal_pending":
        loop.appeal_file(
            actor=head, rating=follow_up.rating,
            reason="评价人因申请未获批准作出差评，评价内容与窗口服务无关，申请复核剔除。",
        )  # fmt: skip
        return follow_up.state
    if fate == "appeal_approved":
        appeal = loop.appeal_file(
            actor=head, rating=follow_up.rating,
            reason="评价内容针对的是社区卫生服务中心的收费问题，与本件办理无关，属误评。",
        )  # fmt: skip
        loop.appeal_decide(
            actor=officer, appeal=appeal, approve=True,
            note="经核实，评价内容与本件办理无关，同意剔除。",
        )  # fmt: skip
        return follow_up.state
    if fate == "verifying":
        return follow_up.state
    # Answered within the fix limit, a few working days after the call-back.
    answered = min(add_workdays(called, 3 + rated.toordinal() % 9), today)
    if fate == "explained":
        follow_up = loop.follow_up_verify(
            actor=head, follow_up=follow_up, verdict="explained",
            note="经调阅办件记录，办理时限符合规定，评价人对审查期限有误解。",
            answer="已向您说明该事项的法定审查期限和办理进度，感谢您的理解和监督。",
            answered_on=answered,
        )  # fmt: skip
        return follow_up.state
    follow_up = loop.follow_up_verify(
        actor=head, follow_up=follow_up, verdict="valid",
        note="经调阅办件记录和窗口录像，情况属实，责令整改。",
    )  # fmt: skip
    if fate == "finding":
        loop.follow_up_open_finding(
            actor=head, follow_up=follow_up, title="窗口一次性告知制度落实不到位",
            severity="general",
        )  # fmt: skip
        return follow_up.state
    follow_up = loop.follow_up_record_fix(
        actor=clerk, follow_up=follow_up,
        note="印发一次性告知单，高峰时段增开窗口，对窗口人员进行提醒谈话。",
    )  # fmt: skip
    if fate == "rectifying":
        return follow_up.state
    follow_up = loop.follow_up_answer(
        actor=clerk, follow_up=follow_up, answered_on=answered,
        answer="您反映的问题属实，我们已印发一次性告知单并在高峰时段增开窗口，感谢您的监督。",
    )  # fmt: skip
    return follow_up.state
