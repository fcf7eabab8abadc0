"""Forms of the spot-check pages. They only shape input; the services check every rule again
(and name what is wrong), so a form refuses only what cannot be read at all.

The checklist's items and a review's scores are rows whose number depends on the checklist:
they are read from the POST by `read_items` / `read_answers` rather than declared as fields.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight.models import ChecklistItem, SamplingPlan
from fazhi.oversight.services.spotchecks import Answer, ItemSpec

BLANK_ITEM_ROWS = 4
MAX_ITEM_ROWS = 60


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlanForm(StyledForm):
    agency = forms.TypedChoiceField(label=_("机关"), coerce=int, required=False)
    title = forms.CharField(label=_("方案名称"), max_length=200)
    population = forms.ChoiceField(label=_("案卷类型"))
    period_start = forms.DateField(label=_("起始日期"), widget=DateInput())
    period_end = forms.DateField(label=_("截止日期"), widget=DateInput())
    method = forms.ChoiceField(
        label=_("抽取方式"), choices=SamplingPlan.Method.choices, initial="rate"
    )
    rate = forms.DecimalField(
        label=_("抽取比例（%）"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("按比例时填写：每个单位抽取其案卷数的该比例（向上取整）。"),
    )
    count = forms.IntegerField(
        label=_("抽取数量"),
        required=False,
        min_value=1,
        help_text=_("按数量时填写：按各单位案卷数的比例分配（最大余数法）。"),
    )
    min_per_stratum = forms.IntegerField(
        label=_("每个单位至少"),
        min_value=0,
        max_value=1000,
        initial=1,
        help_text=_("每个承办单位至少抽取的案卷数（不超过该单位的案卷数）。"),
    )
    checklist = forms.TypedChoiceField(label=_("评查表"), coerce=int)

    def __init__(self, *args, agencies=(), populations=(), checklists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) <= 1:
            del self.fields["agency"]
        self.fields["population"].choices = [("", "—"), *populations]
        self.fields["checklist"].choices = [("", "—")] + [
            (c.pk, f"{c.name}（{c.agency.name}）" if len(agencies) > 1 else c.name)
            for c in checklists
        ]


class SeedForm(StyledForm):
    seed = forms.CharField(
        label=_("随机种子"),
        required=False,
        max_length=64,
        help_text=_("可不填，由系统生成；也可填写公开摇号等产生的数字。字母、数字和“-”“_”“.”。"),
    )


class ReassignForm(StyledForm):
    reviewer = forms.TypedChoiceField(label=_("改由"), coerce=int)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "—")] + [
            (u.pk, u.display_name or u.username) for u in reviewers
        ]


class ChecklistForm(StyledForm):
    agency = forms.TypedChoiceField(label=_("机关"), coerce=int, required=False)
    name = forms.CharField(label=_("评查表名称"), max_length=100)
    population = forms.ChoiceField(label=_("案卷类型"))
    excellent_min = forms.DecimalField(
        label=_("优秀分数线"), max_digits=5, decimal_places=1, initial=Decimal(90)
    )
    pass_min = forms.DecimalField(
        label=_("合格分数线"), max_digits=5, decimal_places=1, initial=Decimal(60)
    )

    def __init__(self, *args, agencies=(), populations=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) <= 1 or editing:
            del self.fields["agency"]
        self.fields["population"].choices = [("", "—"), *populations]
        if editing:  # the case type is what the plans chose it by; a new type is a new list
            del self.fields["population"]


def item_rows(items=(), blank: int = BLANK_ITEM_ROWS) -> list[dict]:
    """The rows of the items table: the checklist's items, then blank rows."""
    rows = [
        {
            "text": item.text,
            "kind": item.kind,
            "points": item.max_points if item.max_points is not None else "",
            "basis": item.basis,
        }
        for item in items
    ]
    rows += [{"text": "", "kind": ChecklistItem.Kind.POINTS, "points": "", "basis": ""}] * blank
    return [{"index": i, **row} for i, row in enumerate(rows)]


def posted_item_rows(data) -> list[dict]:
    """The rows as posted (to show them again after a refusal), plus blank rows."""
    rows = []
    for i in range(MAX_ITEM_ROWS):
        if f"item-{i}-text" not in data:
            break
        rows.append(
            {
                "text": data.get(f"item-{i}-text", ""),
                "kind": data.get(f"item-{i}-kind", ""),
                "points": data.get(f"item-{i}-points", ""),
                "basis": data.get(f"item-{i}-basis", ""),
            }
        )
    rows += [{"text": "", "kind": ChecklistItem.Kind.POINTS, "points": "", "basis": ""}] * 2
    return [{"index": i, **row} for i, row in enumerate(rows)]


def read_items(data) -> list[ItemSpec]:
    """Item rows with a text, in order; the service validates kinds and points."""
    items = []
    for i in range(MAX_ITEM_ROWS + 1):
        if f"item-{i}-text" not in data:
            break
        text = (data.get(f"item-{i}-text") or "").strip()
        if not text:
            continue
        kind = data.get(f"item-{i}-kind", "")
        points = (data.get(f"item-{i}-points") or "").strip()
        items.append(
            ItemSpec(
                text=text,
                kind=kind,
                max_points=points if kind == ChecklistItem.Kind.POINTS else None,
                basis=data.get(f"item-{i}-basis", ""),
            )
        )
    return items


def read_answers(data, items) -> dict[int, Answer]:
    """The scoring form's answers: `item-<id>` is "yes"/"no" for a veto item and the points
    for a points item; `note-<id>` the reviewer's note. Unanswered items are left out (the
    service names the first)."""
    answers = {}
    for item in items:
        value = (data.get(f"item-{item.pk}") or "").strip()
        note = data.get(f"note-{item.pk}", "")
        if not value:
            continue
        if item.kind == ChecklistItem.Kind.VETO:
            passed = {"yes": True, "no": False}.get(value)
            answers[item.pk] = Answer(passed=passed, note=note)
        else:
            answers[item.pk] = Answer(points=value, note=note)
    return answers
