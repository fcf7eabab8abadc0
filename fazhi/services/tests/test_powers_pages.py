"""Staff and portal pages: the import with its bad-row report, publish, 404 for other agencies,
constant queries on the list, the public guide."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from fazhi.services import xlsx
from fazhi.services.services import guides as guide_services
from fazhi.services.services import powers as services
from fazhi.services.tests.conftest import power_data
from fazhi.testing.clients import verified_client
from fazhi.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def _sheet(rows) -> io.BytesIO:
    book = Workbook()
    book.active.append(list(xlsx.COLUMNS))
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "list.xlsx"
    return out


def _row(code, kind="行政确认"):
    return [code, "婚姻登记", kind, "《婚姻登记条例》", "示范区民政局", "社会救助科", 1, 1]


def test_import_page_reports_bad_row_then_imports_good_rows_and_publishes(bureau):
    client = verified_client(bureau["officer"])
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    url = reverse("services:import", args=[draft.pk])
    response = client.post(url, {"file": _sheet([_row("1"), _row("2", kind="坏类型")])})
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 3 行" in body and "事项类型" in body
    assert not draft.powers.exists()
    response = client.post(
        url, {"file": _sheet([_row("1"), _row("2", kind="坏类型")]), "only_valid": "1"}
    )
    assert response.status_code == 200 and draft.powers.count() == 1
    client.post(reverse("services:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.frozen


def test_missing_column_is_a_clear_400(bureau):
    client = verified_client(bureau["officer"])
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    book = Workbook()
    book.active.append(["序号", "事项名称"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    response = client.post(reverse("services:import", args=[draft.pk]), {"file": out})
    assert response.status_code == 400 and "缺少必需的列" in response.content.decode()


def test_other_agency_gets_404_and_clerk_cannot_import(bureau):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    other = verified_client(bureau["other_officer"])
    assert other.get(reverse("services:import", args=[draft.pk])).status_code == 404
    assert other.get(reverse("services:export", args=[draft.pk])).status_code == 404
    clerk = verified_client(bureau["clerk"])
    response = clerk.post(
        reverse("services:import", args=[draft.pk]), {"file": _sheet([_row("1")])}
    )
    assert response.status_code == 403 and not draft.powers.exists()


def test_power_list_constant_queries(bureau):
    client = verified_client(bureau["officer"])
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            services.power_create(
                actor=bureau["officer"],
                power_list=draft,
                data=power_data(bureau, str(next(counter))),
            )

    assert_constant_queries(lambda: client.get(reverse("services:powers")), add)


def _published_guide(bureau):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    services.power_create(actor=bureau["officer"], power_list=draft, data=power_data(bureau, "1"))
    services.power_list_publish(actor=bureau["officer"], power_list=draft)
    item = guide_services.item_create(
        actor=bureau["clerk"],
        agency=bureau["agency"],
        power_code="1",
        name="低保申请",
        department=bureau["relief"],
        online=True,
    )
    guide = guide_services.guide_start_draft(actor=bureau["clerk"], item=item)
    guide_services.guide_update(
        actor=bureau["clerk"],
        guide=guide,
        data={
            "conditions": "本区户籍，家庭收入低于标准",
            "steps": "申请\n审核\n审批",
            "materials": [
                {
                    "name": "居民身份证",
                    "form": "original",
                    "count": 1,
                    "issued_by": "公安机关",
                    "platform_holds": True,
                }
            ],
            "place": "街道社区事务受理服务中心",
            "hours": "工作日 9:00-17:00",
            "statutory_days": 30,
            "promised_days": 20,
        },
    )
    return item, guide


def test_guide_publish_rules_and_public_page(bureau, client):
    item, guide = _published_guide(bureau)
    from fazhi.core.errors import InvalidInput, NotAllowed

    with pytest.raises(NotAllowed):
        guide_services.guide_publish(actor=bureau["clerk"], guide=guide)
    with pytest.raises(InvalidInput):
        guide_services.guide_update(actor=bureau["clerk"], guide=guide, data={"promised_days": 40})
    assert client.get(reverse("services_public:guide", args=[item.pk])).status_code == 404
    guide_services.guide_publish(actor=bureau["officer"], guide=guide)
    page = client.get(reverse("services_public:guide", args=[item.pk])).content.decode()
    assert "居民身份证" in page and "平台已有" in page and "20 个工作日" in page
    listing = client.get(reverse("services_public:powers"), {"q": "低保"}).content.decode()
    assert "低保申请" in listing
    second = guide_services.guide_start_draft(actor=bureau["clerk"], item=item)
    assert second.materials == guide.materials or second.materials
    guide_services.guide_update(actor=bureau["clerk"], guide=second, data={"hours": "全天"})
    guide_services.guide_publish(actor=bureau["officer"], guide=second)
    guide.refresh_from_db()
    assert guide.state == "superseded"
    staff = verified_client(bureau["officer"])
    assert staff.get(reverse("services:item", args=[item.pk])).status_code == 200
    assert staff.get(reverse("services:items")).status_code == 200
    assert staff.get(reverse("services:diff")).status_code == 200
