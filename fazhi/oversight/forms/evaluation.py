"""Forms of the comprehensive evaluation pages. They check shape only (numbers, dates); the
rules (weights add up to 100, indicators apply, periods) are the services'."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledForm
from fazhi.oversight import indicators as registry
from fazhi.oversight.models import UnitKind
from fazhi.oversight.services.evaluation import IndicatorWeight, plain


def weight_field_name(key: str) -> str:
    return f"weight__{key}"


class SchemeForm(StyledForm):
    """Name, unit kind, description and one weight per registered indicator (blank: not used)."""

    name = forms.CharField(label=_("方案名称"), max_length=100)
    unit_kind = forms.ChoiceField(label=_("考评对象"), choices=UnitKind.choices)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fixed_kind: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_kind:
            # A later version keeps its name and unit kind.
            self.fields["unit_kind"].disabled = True
            self.fields["name"].disabled = True
        self.indicator_fields = []
        for indicator in registry.all_indicators():
            name = weight_field_name(indicator.key)
            field = forms.DecimalField(
                label=indicator.label,
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal(100),
                decimal_places=2,
                max_digits=5,
                help_text=indicator.description,
            )
            field.widget.attrs.update(
                {
                    "class": "form-control indicator-weight",
                    "step": "0.01",
                    "inputmode": "decimal",
                    "data-unit-kinds": " ".join(indicator.unit_kinds),
                    "aria-describedby": f"id_{name}_help",
                }
            )
            self.fields[name] = field
            self.indicator_fields.append((indicator, name))

    @classmethod
    def initial_from(cls, scheme) -> dict:
        initial = {
            "name": scheme.name,
            "unit_kind": scheme.unit_kind,
            "description": scheme.description,
        }
        for row in scheme.indicators.all():
            initial[weight_field_name(row.key)] = plain(row.weight)
        return initial

    def rows(self):
        """(indicator, bound field) for the template."""
        return [(indicator, self[name]) for indicator, name in self.indicator_fields]

    def indicator_weights(self) -> list[IndicatorWeight]:
        chosen = []
        for indicator, name in self.indicator_fields:
            weight = self.cleaned_data.get(name)
            if weight is not None:
                chosen.append(IndicatorWeight(indicator.key, weight))
        return chosen


class EvaluationForm(StyledForm):
    scheme = forms.TypedChoiceField(label=_("考评方案"), coerce=int, choices=())
    period_start = forms.DateField(
        label=_("考评期间起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("考评期间止"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(
        label=_("名称"),
        required=False,
        max_length=200,
        help_text=_("可不填，按期间和方案名称生成。"),
    )

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [
            (s.pk, f"{s}（{s.get_unit_kind_display()}）") for s in schemes
        ]


class EvaluationEditForm(StyledForm):
    title = forms.CharField(label=_("名称"), max_length=200)
    period_start = forms.DateField(
        label=_("考评期间起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("考评期间止"), widget=forms.DateInput(attrs={"type": "date"})
    )
