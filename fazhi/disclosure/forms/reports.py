"""Forms of the annual-report pages. Each maps to one service of `services/report.py`; the
services check the same rules again (and name the cell they refuse), so a form only shapes
input: the hand figures stay text here and are validated once, by the service."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.disclosure.selectors import MANUAL_CELLS, manual_value
from fazhi.disclosure.services._common import MAX_TEXT


def figure_field_name(row: str, column: str) -> str:
    return f"fig-{row}-{column}"


class ReportForm(StyledForm):
    """Sections 一、五、六 and table 二's hand cells (named fig-<row>-<column>)."""

    overview = forms.CharField(
        label=_("一、总体情况"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 8}),
    )
    problems = forms.CharField(
        label=_("五、存在的主要问题及改进情况"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 6}),
    )
    other_matters = forms.CharField(
        label=_("六、其他需要报告的事项"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("如本年度收取信息处理费的情况；没有的写“无”。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row, columns in MANUAL_CELLS.items():
            for column in columns:
                self.fields[figure_field_name(row, column)] = forms.CharField(
                    required=False, max_length=30, strip=True
                )

    @classmethod
    def initial_from(cls, report) -> dict:
        initial = {
            "overview": report.overview,
            "problems": report.problems,
            "other_matters": report.other_matters,
        }
        # What was entered, or the row's default (规章: 0), as the table shows it.
        for row, columns in MANUAL_CELLS.items():
            for column in columns:
                value = manual_value(report.manual_figures, row, column)
                initial[figure_field_name(row, column)] = "" if value is None else value
        return initial

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "overview": data["overview"],
            "problems": data["problems"],
            "other_matters": data["other_matters"],
            "manual_figures": {
                row: {column: data[figure_field_name(row, column)] for column in columns}
                for row, columns in MANUAL_CELLS.items()
            },
        }


class OpenForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), min_value=1, max_value=9999)
    agency = forms.IntegerField(label=_("机关"), required=False, widget=forms.HiddenInput)


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class PublishForm(StyledForm):
    published_on = forms.DateField(
        label=_("公开日期"),
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        help_text=_("在本机关门户网站公开的日期。"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"published_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
