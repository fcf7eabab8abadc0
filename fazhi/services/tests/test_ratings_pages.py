"""Pages of 好差评: the portal rating page (once, 404/410), the counter device, the staff list
(scoped, constant queries), a rating with its step forms, the statistics with its export, the
public figures and the case page's panel."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from fazhi.oversight.models import Finding
from fazhi.services.models.ratings import BadReviewFollowUp, Rating, RatingAppeal, RatingToken
from fazhi.services.services import ratings as services
from fazhi.services.tests.test_ratings_setup import (  # noqa: F401 - fixtures
    MOBILE,
    concluded_case,
    schedule_fixture,
    token_of,
    world_fixture,
)
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
RATED_ON = date(2026, 9, 30)


def bad_rating(world, **extra) -> Rating:
    _case, links = concluded_case(world)
    return services.rating_submit(
        channel="online",
        token=token_of(links["online"]),
        level=4,
        reasons=["slow"],
        comment="排队太久",
        on=RATED_ON,
        **extra,
    )


# --- The portal rating page -----------------------------------------------------------------


def test_a_citizen_rates_once_through_the_link(world):
    case, links = concluded_case(world)
    citizen = Client()
    page = citizen.get(links["online"])
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert "最低生活保障申请" in body and "东湖街道社区事务受理服务中心" in body
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{label}</label>" in body
    # 赵市民's number and ID never reach the page
    assert "赵市民" not in body and MOBILE not in body
    done = citizen.post(
        links["online"], {"level": "4", "reasons": ["slow", "unclear"], "comment": "等太久"}
    )
    assert done.status_code == 200
    assert "感谢您的评价" in done.content.decode()
    rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.level, rating.reasons) == ("online", 4, ["slow", "unclear"])
    # The same link again: 410, nothing more saved
    again = citizen.post(links["online"], {"level": "1"})
    assert again.status_code == 410
    assert "已经使用过" in again.content.decode()
    assert citizen.get(links["online"]).status_code == 410
    assert Rating.objects.count() == 1


def test_unknown_and_expired_links_answer_clearly(world):
    case, links = concluded_case(world)
    citizen = Client()
    unknown = citizen.get(reverse("services_public:rate", args=["x" * 43]))
    assert unknown.status_code == 404
    assert "评价链接无效" in unknown.content.decode()
    RatingToken.objects.filter(case=case, channel="online").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = citizen.post(links["online"], {"level": "1"})
    assert expired.status_code == 410
    assert "已于" in expired.content.decode() and "过期" in expired.content.decode()
    assert not Rating.objects.exists()


def test_bad_input_on_the_portal_is_a_422_with_the_reason(world):
    _case, links = concluded_case(world)
    citizen = Client()
    missing = citizen.post(links["online"], {"comment": "没选等级"})
    assert missing.status_code == 422
    assert "请选择评价等级。" in missing.content.decode()
    wrong_side = citizen.post(links["online"], {"level": "1", "reasons": ["slow"]})
    assert wrong_side.status_code == 422
    assert "与所选评价等级不符" in wrong_side.content.decode()
    no_name = citizen.post(links["online"], {"level": "1", "real_name": "1"})
    assert no_name.status_code == 422
    assert "实名评价请填写姓名。" in no_name.content.decode()
    too_long = citizen.post(links["online"], {"level": "1", "comment": "长" * 501})
    assert too_long.status_code == 422
    assert not Rating.objects.exists()
    # The link still works afterwards
    assert citizen.post(links["online"], {"level": "1"}).status_code == 200


def test_the_portal_form_is_rate_limited(world, settings):
    settings.FAZHI_RATE_LIMITS = {**settings.FAZHI_RATE_LIMITS, "public_form": 2}
    _case, links = concluded_case(world)
    citizen = Client()
    assert citizen.post(links["online"], {}).status_code == 422
    assert citizen.post(links["online"], {}).status_code == 422
    assert citizen.post(links["online"], {"level": "1"}).status_code == 429
    assert not Rating.objects.exists()


def test_the_public_figures_show_counts_and_rates_only(world):
    _case, links = concluded_case(world)
    services.rating_submit(
        channel="online",
        token=token_of(links["online"]),
        level=5,
        real_name=True,
        rater_name="钱评价",
        comment="私人内容",
        on=RATED_ON,
    )
    page = Client().get(reverse("services_public:ratings"), {"year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "示例区民政局" in body
    assert re.search(r'data-figure="total">1<', body)
    assert re.search(r'data-figure="rate">0.00%<', body)
    assert "9月" in body and "东湖街道社区事务受理服务中心" in body
    assert "钱评价" not in body and "私人内容" not in body


# --- The counter device ---------------------------------------------------------------------


def test_the_counter_device_rates_the_case_at_the_counter(world):
    case, _links = concluded_case(world)
    url = reverse("services:rating_counter", args=[case.pk])
    clerk = verified_client(world["clerk"])
    page = clerk.get(url, {"next": "/staff/services/cases/"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "请您对本次服务作出评价" in body and 'href="/staff/services/cases/"' in body
    done = clerk.post(url, {"level": "2", "reasons": ["efficient"]})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    rating = Rating.objects.get(case=case, channel="counter")
    assert (rating.level, rating.reasons) == (2, ["efficient"])
    # One per case on this channel
    again = clerk.post(url, {"level": "5"})
    assert again.status_code == 409
    assert "每个渠道只能评价一次" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1


def test_the_counter_device_refuses_other_agencies_roles_and_open_cases(world):
    case, _links = concluded_case(world)
    url = reverse("services:rating_counter", args=[case.pk])
    assert verified_client(world["stranger"]).get(url).status_code == 404
    assert verified_client(world["stranger"]).post(url, {"level": "1"}).status_code == 404
    assert verified_client(world["leader"]).post(url, {"level": "1"}).status_code == 403
    assert verified_client(world["overseer"]).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    open_case, _none = concluded_case(world, conclude=False)
    refused = verified_client(world["clerk"]).get(
        reverse("services:rating_counter", args=[open_case.pk])
    )
    assert refused.status_code == 409
    assert "办结后才能评价" in refused.content.decode()
    assert not Rating.objects.exists()


def test_sending_a_link_again_from_the_case(world):
    case, links = concluded_case(world)
    url = reverse("services:rating_link", args=[case.pk])
    response = verified_client(world["clerk"]).post(
        url, {"channel": "online", "next": "/staff/services/ratings/"}, follow=True
    )
    body = response.content.decode()
    assert "新的网上评价链接" in body and "/services/ratings/r/" in body
    assert links["online"] not in body
    assert verified_client(world["leader"]).post(url, {"channel": "online"}).status_code == 403
    assert verified_client(world["stranger"]).post(url, {"channel": "online"}).status_code == 404


# --- The staff list and a rating ------------------------------------------------------------


def test_the_list_is_scoped_by_department_and_keeps_a_constant_query_count(world):
    relief = bad_rating(world)
    case, _links = concluded_case(world, item=world["social_item"])
    social = services.rating_submit(
        channel="counter", case=case, actor=world["other_clerk"], level=1
    )
    url = reverse("services:ratings")
    office = verified_client(world["officer"]).get(url).content.decode()
    assert f'data-rating="{relief.pk}"' in office and f'data-rating="{social.pk}"' in office
    # 社会组织管理科 reads its own department's ratings only
    own = verified_client(world["other_clerk"]).get(url).content.decode()
    assert f'data-rating="{social.pk}"' in own and f'data-rating="{relief.pk}"' not in own
    assert (
        verified_client(world["stranger_officer"])
        .get(reverse("services:rating", args=[relief.pk]))
        .status_code
        == 404
    )
    assert (
        verified_client(world["other_clerk"])
        .get(reverse("services:rating", args=[relief.pk]))
        .status_code
        == 404
    )
    # Filters
    bad_only = verified_client(world["officer"]).get(url, {"bad": "1"}).content.decode()
    assert f'data-rating="{relief.pk}"' in bad_only and f'data-rating="{social.pk}"' not in bad_only

    client = verified_client(world["officer"])

    def grow(n):
        for _i in range(n):
            bad_rating(world)

    assert_constant_queries(lambda: client.get(url), grow, extra_rows=4)


def test_the_loop_clicked_through_the_rating_page(world):
    rating = bad_rating(world)
    url = reverse("services:rating", args=[rating.pk])
    clerk = verified_client(world["clerk"])
    head = verified_client(world["head"])

    def step(client, name, data):
        return client.post(reverse("services:rating_step", args=[rating.pk, name]), data)

    page = clerk.get(url).content.decode()
    assert 'id="callback-form"' in page and 'id="verify-form"' not in page
    # The officer reads, without forms
    office = verified_client(world["officer"]).get(url).content.decode()
    assert 'id="callback-form"' not in office and "排队太久" in office
    # A form error: 422 with the reason, nothing saved
    refused = step(clerk, "callback", {"called_back_on": "2026-10-08", "note": ""})
    assert refused.status_code == 422
    assert "回访情况" in refused.content.decode()
    assert (
        step(clerk, "callback", {"called_back_on": "2026-10-08", "note": "已回访"}).status_code
        == 302
    )
    # The other section may not act (it does not even see the rating)
    other = verified_client(world["other_head"])
    assert step(other, "verify", {"verdict": "valid", "note": "x"}).status_code == 404
    # A step out of order: 409 with the message
    early = step(head, "answer", {"answer": "已整改"})
    assert early.status_code == 409
    assert step(head, "verify", {"verdict": "valid", "note": "属实"}).status_code == 302
    assert step(head, "finding", {"title": "", "severity": "general"}).status_code == 302
    assert Finding.objects.filter(source_ref=f"services.rating:{rating.pk}").count() == 1
    page = head.get(url).content.decode()
    assert 'id="finding-link"' in page and 'id="finding-form"' not in page
    assert 'id="answer-form"' not in page  # the fix is not recorded yet
    assert step(clerk, "fix", {"note": "增设叫号屏"}).status_code == 302
    assert step(clerk, "answer", {"answer": "已整改，谢谢", "answered_on": ""}).status_code == 302
    follow_up = BadReviewFollowUp.objects.get(rating=rating)
    assert follow_up.state == "answered"
    page = clerk.get(url).content.decode()
    assert 'data-state="answered"' in page
    assert "services.badreviewfollowup.send_answer" in page
    assert step(clerk, "nonsense", {}).status_code == 404


def test_appeals_through_the_rating_page(world):
    rating = bad_rating(world)
    url = reverse("services:rating", args=[rating.pk])
    head = verified_client(world["head"])
    assert 'id="appeal-form"' in head.get(url).content.decode()
    assert 'id="appeal-form"' not in verified_client(world["clerk"]).get(url).content.decode()
    step = reverse("services:rating_step", args=[rating.pk, "appeal"])
    assert verified_client(world["clerk"]).post(step, {"reason": "误评"}).status_code == 403
    assert head.post(step, {"reason": "评价人并未来办理"}).status_code == 302
    leader = verified_client(world["leader"])
    assert 'id="decide-form"' in leader.get(url).content.decode()
    decide = reverse("services:rating_step", args=[rating.pk, "decide"])
    assert leader.post(decide, {"decision": "reject", "note": ""}).status_code == 422
    assert leader.post(decide, {"decision": "approve", "note": ""}).status_code == 302
    rating.refresh_from_db()
    assert rating.excluded
    assert RatingAppeal.objects.get().state == "approved"
    page = head.get(url).content.decode()
    assert 'id="rating-excluded"' in page and 'id="follow-up-stopped"' in page
    assert 'id="callback-form"' not in verified_client(world["clerk"]).get(url).content.decode()


# --- Statistics -----------------------------------------------------------------------------


def test_the_statistics_page_its_chart_and_export(world):
    bad_rating(world)
    case, _links = concluded_case(world, item=world["social_item"])
    services.rating_submit(
        channel="counter", case=case, actor=world["other_clerk"], level=1, on=RATED_ON
    )
    url = reverse("services:rating_statistics")
    page = verified_client(world["leader"]).get(url, {"year": "2026", "by": "department"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "满意率 =（非常满意＋满意＋基本满意）÷ 评价总数 × 100" in body
    data = json.loads(re.search(r'id="rating-chart-data"[^>]*>(.*?)</script>', body).group(1))
    assert data["labels"] == ["社会救助科", "社会组织管理科"]
    assert data["rates"] == [0.0, 100.0]
    assert data["bad"] == [1, 0]
    assert re.search(r'id="statistics-total">.*?data-figure="rate">50.00%<', body, re.S)
    # Department staff and overseers read the figures too
    assert verified_client(world["other_clerk"]).get(url).status_code == 200
    assert verified_client(world["overseer"]).get(url).status_code == 200
    assert verified_client(world["officer"]).get(url, {"agency": "999999"}).status_code == 404
    export = verified_client(world["officer"]).get(
        reverse("services:rating_statistics_export"), {"year": "2026", "by": "center"}
    )
    assert export.status_code == 200
    assert export["Content-Type"] == services.XLSX_TYPE
    assert export.content[:2] == b"PK"


def test_the_tabs_lead_to_the_ratings_pages(world):
    page = verified_client(world["clerk"]).get(reverse("services:items")).content.decode()
    assert f'href="{reverse("services:ratings")}">好差评<' in page
    assert f'href="{reverse("services:rating_statistics")}">满意度统计<' in page


# --- The case page's panel ------------------------------------------------------------------


def _panel(world, case, who) -> str:
    request = RequestFactory().get(f"/staff/services/cases/{case.pk}/")
    request.user = world[who]
    return render_to_string("services/ratings/_case_panel.html", {"case": case}, request=request)


def test_the_case_panel_shows_the_channels_and_the_buttons(world):
    case, links = concluded_case(world, phone=MOBILE)
    panel = _panel(world, case, "clerk")
    assert 'id="counter-rating"' in panel
    assert f"{reverse('services:rating_counter', args=[case.pk])}?next=" in panel
    assert 'id="link-online"' in panel and 'id="link-sms"' in panel
    assert "链接未使用" in panel
    # A leader reads, without the counter button
    assert 'id="counter-rating"' not in _panel(world, case, "leader")
    services.rating_submit(channel="sms", token=token_of(links["sms"]), level=5, on=RATED_ON)
    panel = _panel(world, case, "clerk")
    assert "非常不满意" in panel and "待回访" in panel and 'id="link-sms"' not in panel
    open_case, _none = concluded_case(world, conclude=False)
    waiting = _panel(world, open_case, "clerk")
    assert 'id="rating-panel-wait"' in waiting and 'id="counter-rating"' not in waiting


def test_the_case_page_carries_the_panel(world):
    case, _links = concluded_case(world)
    page = verified_client(world["clerk"]).get(reverse("services:case", args=[case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="rating-panel"' in body and 'id="counter-rating"' in body
    # The rating page links back to the case page
    rating = services.rating_submit(channel="counter", case=case, actor=world["clerk"], level=1)
    detail = verified_client(world["clerk"]).get(reverse("services:rating", args=[rating.pk]))
    assert f'href="{reverse("services:case", args=[case.pk])}"' in detail.content.decode()


@pytest.mark.parametrize(
    "path", ["/staff/services/ratings/", "/staff/services/ratings/statistics/"]
)
def test_who_opens_the_list_and_the_statistics(world, path):
    from fazhi.core.roles import Role
    from fazhi.testing.factories import user_with_role

    readers = {
        Role.LEGAL_OFFICER,
        Role.LEADER,
        Role.DISTRICT_OVERSEER,
        Role.CLERK,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
    }
    for role in Role:
        response = verified_client(user_with_role(role, agency=world["agency"])).get(path)
        assert response.status_code == (200 if role in readers else 403), (role, path)
    assert Client().get(path).status_code == 302
