"""Demo ratings: every concluded case of the agency without a rating is rated, through the
services, the way a year of 好差评 looks (mostly 非常满意/满意, a few bad reviews at every stage
of the loop, one appeal approved).

Call after the cases demo (`build_ratings_demo(agency)`); idempotent: a case already rated is
left alone. Deterministic: the choices follow from the case's id, so two runs over the same
cases give the same figures.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from fazhi.core.calendar import add_workdays
from fazhi.core.roles import Role
from fazhi.services.models import ServiceCase
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingChannel
from fazhi.services.services import rating_followups as loop
from fazhi.services.services import ratings as services

# Level weights in ‰: 非常满意 700, 满意 160, 基本满意 70, 不满意 45, 非常不满意 25.
LEVELS = ((1, 700), (2, 160), (3, 70), (4, 45), (5, 25))
GOOD = {1: ["efficient", "attitude_good"], 2: ["clear_guidance"], 3: ["convenient"]}
BAD = {4: ["slow"], 5: ["unclear", "too_many_materials"]}
COMMENTS = {
    4: "等候时间较长，希望增加窗口。",
    5: "材料要求没有一次说清楚，跑了好几趟。",
}


def _level(rng: random.Random) -> int:
    roll = rng.randrange(1000)
    for level, weight in LEVELS:
        if roll < weight:
            return level
        roll -= weight
    return 1


def _users() -> dict:
    users = get_user_model().objects.filter(
        username__in=[Role.CLERK.value, Role.DEPARTMENT_HEAD.value, Role.LEGAL_OFFICER.value]
    )
    return {u.username: u for u in users}


def _follow(follow_up: BadReviewFollowUp, users: dict, rng: random.Random, today) -> str:
    """Take the loop as far as the dates allow; returns the state reached."""
    rated_on = follow_up.rating.rated_on
    handler = users.get(Role.CLERK.value)
    head = users.get(Role.DEPARTMENT_HEAD.value)
    if handler is None or head is None or follow_up.department.name != "社会救助科":
        return follow_up.state  # the demo accounts work in 社会救助科 only
    called_on = add_workdays(rated_on, 1)
    if called_on > today:
        return follow_up.state
    follow_up = loop.follow_up_record_callback(
        actor=handler, follow_up=follow_up, note="电话回访，已记录评价人反映的问题。",
        called_back_on=called_on,
    )  # fmt: skip
    answer_on = add_workdays(called_on, rng.randint(2, 10))
    if answer_on > today:
        return follow_up.state
    if rng.random() < 0.3:
        follow_up = loop.follow_up_verify(
            actor=head, follow_up=follow_up, verdict="explained",
            note="评价人对审查期限有误解。", answer="已向您说明该事项的法定审查期限，感谢理解。",
            answered_on=answer_on,
        )  # fmt: skip
        return follow_up.state
    follow_up = loop.follow_up_verify(
        actor=head, follow_up=follow_up, verdict="valid", note="情况属实，责令整改。"
    )
    follow_up = loop.follow_up_record_fix(
        actor=handler, follow_up=follow_up, note="印发一次性告知单，增加高峰时段窗口。"
    )
    follow_up = loop.follow_up_answer(
        actor=handler, follow_up=follow_up, answer="已整改，感谢您的监督。", answered_on=answer_on
    )
    return follow_up.state


def build_ratings_demo(agency, *, limit: int | None = None) -> dict[str, int]:
    """Rate the agency's concluded cases that have no rating yet; returns what it made."""
    made = {"ratings": 0, "bad": 0, "answered": 0, "appeals": 0}
    users = _users()
    clerk = users.get(Role.CLERK.value)
    if clerk is None:
        return made
    today = timezone.localdate()
    rated = Rating.objects.filter(agency=agency).values("case_id")
    cases = (
        ServiceCase.objects.filter(
            agency=agency,
            state__in=services.RATEABLE_STATES,
            concluded_on__isnull=False,
        )
        .exclude(pk__in=rated)
        .select_related("agency", "item", "department", "center")
        .order_by("concluded_on", "pk")
    )
    if limit is not None:
        cases = cases[:limit]
    appealed = Rating.objects.filter(agency=agency, appeals__isnull=False).exists()
    for case in cases:
        rng = random.Random(case.pk)  # noqa: S311 - demo data, reproducible on purpose
        level = _level(rng)
        on = min(case.concluded_on + timedelta(days=rng.randint(0, 3)), today)
        reasons = (BAD if level >= 4 else GOOD).get(level, [])
        common = {
            "level": level,
            "reasons": reasons,
            "comment": COMMENTS.get(level, ""),
            "real_name": level >= 4 and rng.random() < 0.6,
            "rater_name": case.applicant_name if level >= 4 else "",
            "on": on,
        }
        if not common["real_name"]:
            common["rater_name"] = ""
        if case.center_id:
            rating = services.rating_submit(
                channel=RatingChannel.COUNTER, case=case, actor=clerk, **common
            )
        else:
            link = services.rating_link_resend(actor=clerk, case=case, channel="online")
            token = link["path"].rstrip("/").rsplit("/", 1)[1]
            rating = services.rating_submit(channel=RatingChannel.ONLINE, token=token, **common)
        made["ratings"] += 1
        if not rating.bad:
            continue
        made["bad"] += 1
        follow_up = BadReviewFollowUp.objects.select_related("department", "rating").get(
            rating=rating
        )
        head = users.get(Role.DEPARTMENT_HEAD.value)
        officer = users.get(Role.LEGAL_OFFICER.value)
        if (
            not appealed
            and head is not None
            and officer is not None
            and follow_up.department.name == "社会救助科"
        ):
            # One malicious review: appealed by the head, approved by the legal office.
            appeal = loop.appeal_file(
                actor=head, rating=rating, reason="评价人当天未到窗口办理，系误评（有叫号记录）。"
            )
            loop.appeal_decide(
                actor=officer, appeal=appeal, approve=True, note="经核实，同意剔除。"
            )
            appealed = True
            made["appeals"] += 1
            continue
        if _follow(follow_up, users, rng, today) == BadReviewFollowUp.State.ANSWERED:
            made["answered"] += 1
    return made
