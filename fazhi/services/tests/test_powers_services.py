"""Power list versions: drafts, editing rights, publishing (frozen), the diff."""

from __future__ import annotations

import pytest

from fazhi.core.audit import Event
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.services.models import Power, PowerList
from fazhi.services.services import powers as services
from fazhi.services.tests.conftest import power_data

pytestmark = pytest.mark.django_db


def _published(bureau, *rows):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    for row in rows:
        services.power_create(actor=bureau["officer"], power_list=draft, data=row)
    return services.power_list_publish(actor=bureau["officer"], power_list=draft)


def test_draft_publish_and_frozen(bureau):
    published = _published(bureau, power_data(bureau, "1"), power_data(bureau, "2"))
    assert published.state == PowerList.State.PUBLISHED and published.version == 1
    assert Event.objects.filter(verb="services.powers.publish").count() == 1
    power = published.powers.get(code="1")
    with pytest.raises(Conflict):
        services.power_update(actor=bureau["officer"], power=power, data={"name": "改"})
    with pytest.raises(Conflict):
        services.power_remove(actor=bureau["officer"], power=power)
    assert Power.objects.get(pk=power.pk).name == "最低生活保障金给付1"


def test_new_draft_copies_last_published_and_one_draft_only(bureau):
    _published(bureau, power_data(bureau, "1"))
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    assert draft.version == 2 and list(draft.powers.values_list("code", flat=True)) == ["1"]
    with pytest.raises(Conflict):
        services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])


def test_diff_between_versions(bureau):
    v1 = _published(bureau, power_data(bureau, "1"), power_data(bureau, "2"))
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    services.power_update(
        actor=bureau["officer"],
        power=draft.powers.get(code="1"),
        data={"promised_days": 5, "department": bureau["social"].name},
    )
    services.power_remove(actor=bureau["officer"], power=draft.powers.get(code="2"))
    services.power_create(actor=bureau["officer"], power_list=draft, data=power_data(bureau, "3"))
    v2 = services.power_list_publish(actor=bureau["officer"], power_list=draft)
    changes = services.diff(v1, v2)
    assert [c["code"] for c in changes["added"]] == ["3"]
    assert [c["code"] for c in changes["removed"]] == ["2"]
    [changed] = changes["changed"]
    fields = {f["field"]: (f["old"], f["new"]) for f in changed["fields"]}
    assert fields == {"department": ("社会救助科", "社会组织管理科"), "promised_days": (10, 5)}


def test_department_edits_only_its_own_powers_and_cannot_publish(bureau):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    clerk = bureau["clerk"]
    own = services.power_create(actor=clerk, power_list=draft, data=power_data(bureau, "1"))
    with pytest.raises(NotAllowed):
        services.power_create(
            actor=clerk, power_list=draft, data=power_data(bureau, "2", department="社会组织管理科")
        )
    with pytest.raises(NotAllowed):  # cannot hand the power to another department
        services.power_update(actor=clerk, power=own, data={"department": "社会组织管理科"})
    with pytest.raises(NotAllowed):
        services.power_list_publish(actor=clerk, power_list=draft)
    with pytest.raises(NotAllowed):
        services.power_list_publish(actor=bureau["leader"], power_list=draft)
    with pytest.raises(NotAllowed):
        services.power_list_start_draft(actor=bureau["other_officer"], agency=bureau["agency"])


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"promised_days": 30, "statutory_days": 20}, "promised_exceeds_statutory"),
        ({"promised_days": "十"}, "promised_days_invalid"),
        ({"kind": "行政许愿"}, "kind_invalid"),
        ({"department": "不存在科"}, "department_unknown"),
        ({"name": ""}, "name_required"),
        ({"basis": "x\x00"}, "basis_invalid"),
    ],
)
def test_bad_power_input_refused(bureau, over, code):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    with pytest.raises(InvalidInput) as exc:
        services.power_create(
            actor=bureau["officer"], power_list=draft, data=power_data(bureau, **over)
        )
    assert exc.value.code == code
    assert not draft.powers.exists()


def test_duplicate_code_and_empty_publish(bureau):
    draft = services.power_list_start_draft(actor=bureau["officer"], agency=bureau["agency"])
    with pytest.raises(InvalidInput) as exc:
        services.power_list_publish(actor=bureau["officer"], power_list=draft)
    assert exc.value.code == "list_empty"
    services.power_create(actor=bureau["officer"], power_list=draft, data=power_data(bureau, "1"))
    with pytest.raises(InvalidInput) as exc:
        services.power_create(
            actor=bureau["officer"], power_list=draft, data=power_data(bureau, "1")
        )
    assert exc.value.code == "code_duplicate"
