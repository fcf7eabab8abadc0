"""The API of the power list and the guides: staff routes (versions, powers, import/export, diff,
items, guides) and the public read; 404 for another agency, 403 for roles, 409 frozen, 400/422."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from fazhi.core.roles import Role
from fazhi.services import xlsx
from fazhi.services.models import PowerList, ServiceGuide
from fazhi.services.services import guides as guide_services
from fazhi.services.services import powers as services
from fazhi.services.tests.conftest import power_data
from fazhi.testing.clients import verified_client
from fazhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db

BASE = "/api/services/powers"
PUBLIC = "/api/public/services"


def _json(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


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
    return [
        code,
        f"婚姻登记{code}",
        kind,
        "《婚姻登记条例》第四条",
        "示范区民政局",
        "社会救助科",
        1,
        1,
    ]


def _published_list(bureau, codes=("1", "2")) -> PowerList:
    officer = bureau["officer"]
    draft = services.power_list_start_draft(actor=officer, agency=bureau["agency"])
    for code in codes:
        services.power_create(actor=officer, power_list=draft, data=power_data(bureau, code))
    return services.power_list_publish(actor=officer, power_list=draft)


def _guide_data():
    return {
        "conditions": "本区户籍的困难家庭",
        "materials": [{"name": "居民身份证", "form": "original", "count": 1}],
        "steps": ["申请", "审核", "审批"],
        "promised_days": 10,
        "statutory_days": 20,
        "place": "区政务服务中心 3 号窗口",
        "hours": "工作日 9:00—17:00",
    }


def test_draft_powers_and_publish_through_the_api(bureau):
    client = verified_client(bureau["officer"])
    response = _json(client, "post", f"{BASE}/versions", {"note": "年度调整"})
    assert response.status_code == 201, response.content
    version = response.json()
    assert version["state"] == "draft" and version["version"] == 1
    vid = version["id"]

    response = _json(client, "post", f"{BASE}/versions/{vid}/powers", power_data(bureau, "1"))
    assert response.status_code == 201, response.content
    power = response.json()
    assert power["kind"] == "benefit" and power["department"] == "社会救助科"

    response = _json(client, "patch", f"{BASE}/powers/{power['id']}", {"name": "最低生活保障"})
    assert response.status_code == 200 and response.json()["name"] == "最低生活保障"
    second = _json(client, "post", f"{BASE}/versions/{vid}/powers", power_data(bureau, "2")).json()
    assert client.delete(f"{BASE}/powers/{second['id']}").status_code == 204

    rows = client.get(f"{BASE}/versions/{vid}/powers").json()["items"]
    assert [r["code"] for r in rows] == ["1"]
    assert client.get(f"{BASE}/versions/{vid}/powers?kind=penalty").json()["items"] == []

    response = _json(client, "post", f"{BASE}/versions/{vid}/publish", {})
    assert response.status_code == 200 and response.json()["frozen"] is True
    listed = client.get(f"{BASE}/versions").json()["items"]
    assert listed[0]["id"] == vid and listed[0]["powers"] == 1


def test_a_published_version_is_frozen_409(bureau):
    published = _published_list(bureau)
    client = verified_client(bureau["officer"])
    power = published.powers.first()
    response = _json(client, "patch", f"{BASE}/powers/{power.pk}", {"name": "改名"})
    assert response.status_code == 409 and response.json()["code"] == "version_frozen"
    response = _json(client, "post", f"{BASE}/versions/{published.pk}/publish", {})
    assert response.status_code == 409
    response = _json(
        client, "post", f"{BASE}/versions/{published.pk}/powers", power_data(bureau, "9")
    )
    assert response.status_code == 409
    assert client.delete(f"{BASE}/powers/{power.pk}").status_code == 409
    # A second draft while one is open is a conflict too.
    assert _json(client, "post", f"{BASE}/versions").status_code == 201
    assert _json(client, "post", f"{BASE}/versions").status_code == 409


def test_bad_input_is_422_with_a_chinese_message(bureau):
    client = verified_client(bureau["officer"])
    vid = _json(client, "post", f"{BASE}/versions").json()["id"]
    response = _json(
        client,
        "post",
        f"{BASE}/versions/{vid}/powers",
        power_data(bureau, "1", promised_days=30, statutory_days=20),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "promised_exceeds_statutory"
    assert "承诺时限" in response.json()["message"]
    response = _json(
        client, "post", f"{BASE}/versions/{vid}/powers", power_data(bureau, "1", kind="坏类型")
    )
    assert response.status_code == 422 and response.json()["code"] == "kind_invalid"
    response = _json(client, "post", f"{BASE}/versions/{vid}/powers", {"code": "1"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    response = _json(client, "post", f"{BASE}/versions/{vid}/powers", power_data(bureau, "a\x00b"))
    assert response.status_code == 422
    response = _json(client, "post", f"{BASE}/versions/{vid}/publish", {})
    assert response.status_code == 422 and response.json()["code"] == "list_empty"
    response = _json(
        client, "post", f"{BASE}/versions/{vid}/publish", {"published_on": "2999-01-01"}
    )
    assert response.status_code == 422
    assert client.get(f"{BASE}/versions?limit=abc").status_code == 422
    assert client.get(f"{BASE}/versions/{vid}/powers?kind=nonsense").status_code == 422


def test_other_agency_is_404_and_roles_are_403(bureau):
    published = _published_list(bureau)
    power = published.powers.first()
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{BASE}/versions/{published.pk}").status_code == 404
    assert other.get(f"{BASE}/powers/{power.pk}").status_code == 404
    assert other.get(f"{BASE}/versions/{published.pk}/export").status_code == 404
    assert _json(other, "patch", f"{BASE}/powers/{power.pk}", {"name": "x"}).status_code == 404
    assert other.get(f"{BASE}/versions/nonsense").status_code == 404

    leader = verified_client(bureau["leader"])
    assert leader.get(f"{BASE}/versions/{published.pk}").status_code == 200
    assert _json(leader, "post", f"{BASE}/versions").status_code == 403
    # A clerk edits only the powers of their own department; the legal office publishes.
    clerk = verified_client(bureau["clerk"])
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    social = _json(
        clerk,
        "post",
        f"{BASE}/versions/{draft.pk}/powers",
        power_data(bureau, "7", department=bureau["social"].name),
    )
    assert social.status_code == 403
    own = _json(clerk, "post", f"{BASE}/versions/{draft.pk}/powers", power_data(bureau, "7"))
    assert own.status_code == 201
    assert _json(clerk, "post", f"{BASE}/versions/{draft.pk}/publish").status_code == 403

    adviser = verified_client(user_with_role(Role.LEGAL_ADVISER, agency=bureau["agency"]))
    assert adviser.get(f"{BASE}/versions").status_code == 403
    assert adviser.get(f"{BASE}/items").status_code == 403
    assert _json(adviser, "post", f"{BASE}/versions").status_code == 403


def test_import_reports_bad_rows_then_imports_the_good_ones(bureau):
    client = verified_client(bureau["officer"])
    vid = _json(client, "post", f"{BASE}/versions").json()["id"]
    url = f"{BASE}/versions/{vid}/import"
    rows = [_row("1"), _row("2", kind="坏类型"), _row("3")]
    response = client.post(url, {"file": _sheet(rows)})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "import_rows_invalid" and body["detail"]["imported"] is False
    assert body["detail"]["errors"] == [
        {"row": 3, "column": "事项类型", "reason": body["detail"]["errors"][0]["reason"]}
    ]
    assert "坏类型" in body["detail"]["errors"][0]["reason"]
    assert PowerList.objects.get(pk=vid).powers.count() == 0

    response = client.post(url, {"file": _sheet(rows), "import_good_rows": "true"})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == ["1", "3"]
    assert PowerList.objects.get(pk=vid).powers.count() == 2


def test_import_refuses_a_missing_column_and_a_non_xlsx(bureau):
    client = verified_client(bureau["officer"])
    vid = _json(client, "post", f"{BASE}/versions").json()["id"]
    book = Workbook()
    book.active.append(["序号", "事项名称"])
    book.active.append(["1", "婚姻登记"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    response = client.post(f"{BASE}/versions/{vid}/import", {"file": out})
    assert response.status_code == 422 and response.json()["code"] == "xlsx_columns"
    assert "事项类型" in response.json()["message"]
    fake = io.BytesIO(b"not a sheet")
    fake.name = "x.xlsx"
    response = client.post(f"{BASE}/versions/{vid}/import", {"file": fake})
    assert response.status_code in (400, 422)
    assert client.post(f"{BASE}/versions/{vid}/import", {}).status_code == 422
    leader = verified_client(bureau["leader"])
    response = leader.post(f"{BASE}/versions/{vid}/import", {"file": _sheet([_row("1")])})
    assert response.status_code == 403


def test_export_round_trips_through_the_api_import_and_escapes_formulas(bureau):
    published = _published_list(bureau, codes=("1",))
    officer = bureau["officer"]
    draft = services.power_list_start_draft(actor=officer, agency=bureau["agency"])
    services.power_update(
        actor=officer, power=draft.powers.get(code="1"), data={"name": "=HYPERLINK(1)"}
    )
    services.power_list_publish(actor=officer, power_list=draft)
    client = verified_client(officer)
    response = client.get(f"{BASE}/versions/{draft.pk}/export")
    assert response.status_code == 200 and response["Content-Type"] == xlsx.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 2).value == "'=HYPERLINK(1)"

    vid = _json(client, "post", f"{BASE}/versions").json()["id"]
    services.power_remove(actor=officer, power=PowerList.objects.get(pk=vid).powers.get())
    upload = io.BytesIO(response.content)
    upload.name = "export.xlsx"
    assert client.post(f"{BASE}/versions/{vid}/import", {"file": upload}).status_code == 200
    assert client.get(f"{BASE}/versions/{vid}/powers").json()["items"][0]["name"] == (
        "=HYPERLINK(1)"
    )
    assert published.pk != draft.pk


def test_diff_of_two_published_versions(bureau):
    officer = bureau["officer"]
    first = _published_list(bureau, codes=("1", "2"))
    draft = services.power_list_start_draft(actor=officer, agency=bureau["agency"])
    services.power_update(actor=officer, power=draft.powers.get(code="1"), data={"name": "新名"})
    services.power_remove(actor=officer, power=draft.powers.get(code="2"))
    services.power_create(actor=officer, power_list=draft, data=power_data(bureau, "3"))
    services.power_list_publish(actor=officer, power_list=draft)
    client = verified_client(bureau["leader"])
    response = client.get(f"{BASE}/versions/diff?a={first.pk}&b={draft.pk}")
    assert response.status_code == 200, response.content
    changes = response.json()
    assert [c["code"] for c in changes["added"]] == ["3"]
    assert [c["code"] for c in changes["removed"]] == ["2"]
    assert changes["changed"][0]["fields"][0]["new"] == "新名"
    open_draft = services.power_list_start_draft(actor=officer, agency=bureau["agency"])
    assert client.get(f"{BASE}/versions/diff?a={first.pk}&b={open_draft.pk}").status_code == 422
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{BASE}/versions/diff?a={first.pk}&b={draft.pk}").status_code == 404


def test_items_and_guides_through_the_api(bureau):
    _published_list(bureau)
    officer = verified_client(bureau["officer"])
    clerk = verified_client(bureau["clerk"])
    response = _json(
        clerk,
        "post",
        f"{BASE}/items",
        {"power_code": "1", "name": "低保申请", "department": str(bureau["relief"].pk)},
    )
    assert response.status_code == 201, response.content
    item = response.json()
    response = _json(
        clerk,
        "post",
        f"{BASE}/items",
        {"power_code": "99", "name": "x", "department": item["department_id"]},
    )
    assert response.status_code == 422 and response.json()["code"] == "power_unknown"
    response = _json(clerk, "patch", f"{BASE}/items/{item['id']}", {"online": True})
    assert response.status_code == 200 and response.json()["online"] is True

    response = clerk.post(f"{BASE}/items/{item['id']}/guides")
    assert response.status_code == 201
    gid = response.json()["id"]
    response = _json(clerk, "patch", f"{BASE}/guides/{gid}", _guide_data())
    assert response.status_code == 200, response.content
    assert response.json()["materials"][0]["form_label"] == "原件"
    bad = _json(clerk, "patch", f"{BASE}/guides/{gid}", {"promised_days": 30})
    assert bad.status_code == 422
    bad = _json(clerk, "patch", f"{BASE}/guides/{gid}", {"materials": [{"name": "x"}]})
    assert bad.status_code == 422
    # The clerk cannot publish; the legal office can; the published guide is frozen.
    assert _json(clerk, "post", f"{BASE}/guides/{gid}/publish").status_code == 403
    response = _json(officer, "post", f"{BASE}/guides/{gid}/publish")
    assert response.status_code == 200 and response.json()["state"] == "published"
    frozen = _json(clerk, "patch", f"{BASE}/guides/{gid}", {"fee": "10元"})
    assert frozen.status_code == 409 and frozen.json()["code"] == "guide_frozen"
    detail = officer.get(f"{BASE}/items/{item['id']}").json()
    assert detail["published_guide"] == gid and len(detail["guides"]) == 1
    assert officer.get(f"{BASE}/items").json()["items"][0]["published_guide"] == gid
    # Another agency's officer sees none of it.
    other = verified_client(bureau["other_officer"])
    assert other.get(f"{BASE}/items/{item['id']}").status_code == 404
    assert other.get(f"{BASE}/guides/{gid}").status_code == 404
    assert other.post(f"{BASE}/items/{item['id']}/guides").status_code == 404


def test_public_power_list_and_guides(bureau, client):
    published = _published_list(bureau, codes=("1", "2"))
    officer = bureau["officer"]
    # A newer draft is not public.
    draft = services.power_list_start_draft(actor=officer, agency=bureau["agency"])
    services.power_create(actor=officer, power_list=draft, data=power_data(bureau, "3"))
    item = guide_services.item_create(
        actor=officer,
        agency=bureau["agency"],
        power_code="1",
        name="低保申请",
        department=bureau["relief"],
    )
    guide = guide_services.guide_start_draft(actor=officer, item=item)
    guide_services.guide_update(actor=officer, guide=guide, data=_guide_data())
    hidden = guide_services.item_create(
        actor=officer,
        agency=bureau["agency"],
        power_code="2",
        name="未发布事项",
        department=bureau["relief"],
    )
    guide_services.guide_start_draft(actor=officer, item=hidden)

    response = client.get(f"{PUBLIC}/powers?agency={bureau['agency'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == published.version
    assert sorted(p["code"] for p in body["items"]) == ["1", "2"]
    assert "id" not in body["items"][0]
    assert client.get(f"{PUBLIC}/powers?kind=benefit&q=给付1").json()["items"][0]["code"] == "1"
    assert client.get(f"{PUBLIC}/powers?kind=penalty").json()["items"] == []
    assert client.get(f"{PUBLIC}/powers?kind=bad").status_code == 422

    assert client.get(f"{PUBLIC}/guides").json()["items"] == []
    assert client.get(f"{PUBLIC}/guides/{item.pk}").status_code == 404
    guide_services.guide_publish(actor=officer, guide=guide)
    guides = client.get(f"{PUBLIC}/guides?q=低保").json()["items"]
    assert [g["name"] for g in guides] == ["低保申请"]
    one = client.get(f"{PUBLIC}/guides/{item.pk}").json()
    assert one["steps"] == ["申请", "审核", "审批"] and "manual" not in one
    assert client.get(f"{PUBLIC}/guides/{hidden.pk}").status_code == 404
    assert ServiceGuide.objects.filter(item=hidden, state="draft").exists()
