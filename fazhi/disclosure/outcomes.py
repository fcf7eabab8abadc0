"""What a disclosure request can end as: exactly the result rows of the annual report's table 三.

The row labels are those of the national format (国办公开办函〔2021〕30号, domain-rules.md §1.2),
verbatim, and are defined here once: the model's `outcome` choices, the reply form and the
table 三 selector all read them from this module, so a request's outcome is always a report row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    # （一） and （二）: rows of their own.
    DISCLOSED = "disclosed", _("（一）予以公开")
    PARTIAL = "partial", _("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    # （三）不予公开
    WITHHELD_STATE_SECRET = "withheld_state_secret", _("1.属于国家秘密")
    WITHHELD_PROHIBITED = "withheld_prohibited", _("2.其他法律行政法规禁止公开")
    WITHHELD_SECURITY = "withheld_security", _("3.危及“三安全一稳定”")
    WITHHELD_THIRD_PARTY = "withheld_third_party", _("4.保护第三方合法权益")
    WITHHELD_INTERNAL = "withheld_internal", _("5.属于三类内部事务信息")
    WITHHELD_PROCESS = "withheld_process", _("6.属于四类过程性信息")
    WITHHELD_CASE_FILE = "withheld_case_file", _("7.属于行政执法案卷")
    WITHHELD_QUERY = "withheld_query", _("8.属于行政查询事项")
    # （四）无法提供
    UNAVAILABLE_NOT_HELD = "unavailable_not_held", _("1.本机关不掌握相关政府信息")
    UNAVAILABLE_NEEDS_CREATION = "unavailable_needs_creation", _("2.没有现成信息需要另行制作")
    UNAVAILABLE_UNCLEAR = "unavailable_unclear", _("3.补正后申请内容仍不明确")
    # （五）不予处理
    NOT_PROCESSED_PETITION = "not_processed_petition", _("1.信访举报投诉类申请")
    NOT_PROCESSED_REPEAT = "not_processed_repeat", _("2.重复申请")
    NOT_PROCESSED_PUBLICATION = "not_processed_publication", _("3.要求提供公开出版物")
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive", _("4.无正当理由大量反复申请")
    NOT_PROCESSED_CONFIRMATION = (
        "not_processed_confirmation",
        _("5.要求行政机关确认或重新出具已获取信息"),
    )
    # （六）其他处理
    OTHER_NO_SUPPLEMENT = (
        "other_no_supplement",
        _("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    )
    OTHER_NO_FEE = (
        "other_no_fee",
        _("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    )
    OTHER = "other", _("3.其他")


@dataclass(frozen=True)
class Group:
    """A heading of table 三's result block: its own row when `own_row` (（一）, （二）), else a
    heading without numbers over its numbered sub-rows (（三）…（六）)."""

    key: str
    label: object
    outcomes: tuple[str, ...]

    @property
    def own_row(self) -> bool:
        return self.label is None


# In the report's order. A group whose label is None is a single row labelled by its outcome.
GROUPS: tuple[Group, ...] = (
    Group("group_disclosed", None, (Outcome.DISCLOSED,)),
    Group("group_partial", None, (Outcome.PARTIAL,)),
    Group(
        "group_withheld",
        _("（三）不予公开"),
        (
            Outcome.WITHHELD_STATE_SECRET,
            Outcome.WITHHELD_PROHIBITED,
            Outcome.WITHHELD_SECURITY,
            Outcome.WITHHELD_THIRD_PARTY,
            Outcome.WITHHELD_INTERNAL,
            Outcome.WITHHELD_PROCESS,
            Outcome.WITHHELD_CASE_FILE,
            Outcome.WITHHELD_QUERY,
        ),
    ),
    Group(
        "group_unavailable",
        _("（四）无法提供"),
        (
            Outcome.UNAVAILABLE_NOT_HELD,
            Outcome.UNAVAILABLE_NEEDS_CREATION,
            Outcome.UNAVAILABLE_UNCLEAR,
        ),
    ),
    Group(
        "group_not_processed",
        _("（五）不予处理"),
        (
            Outcome.NOT_PROCESSED_PETITION,
            Outcome.NOT_PROCESSED_REPEAT,
            Outcome.NOT_PROCESSED_PUBLICATION,
            Outcome.NOT_PROCESSED_EXCESSIVE,
            Outcome.NOT_PROCESSED_CONFIRMATION,
        ),
    ),
    Group(
        "group_other",
        _("（六）其他处理"),
        (Outcome.OTHER_NO_SUPPLEMENT, Outcome.OTHER_NO_FEE, Outcome.OTHER),
    ),
)

# The headings without their numbering, for sentences.
SHORT = {
    "group_disclosed": _("予以公开"),
    "group_partial": _("部分公开"),
    "group_withheld": _("不予公开"),
    "group_unavailable": _("无法提供"),
    "group_not_processed": _("不予处理"),
    "group_other": _("其他处理"),
}

GROUP_OF: dict[str, Group] = {o: g for g in GROUPS for o in g.outcomes}

# Reached only when a period lapses (补正 / 缴费), never chosen in a reply.
LAPSE_OUTCOMES = frozenset({Outcome.OTHER_NO_SUPPLEMENT, Outcome.OTHER_NO_FEE})
# The reasons a withheld part of a partial disclosure may give (Art. 37: "说明理由").
PART_REASONS = frozenset(
    o for g in GROUPS if g.key in ("group_withheld", "group_unavailable") for o in g.outcomes
)


def grouped_choices() -> list:
    """The outcome choices grouped under the report's headings (a form's <optgroup>s)."""
    choices: list = []
    for group in GROUPS:
        members = [(o, Outcome(o).label) for o in group.outcomes]
        if group.own_row:
            choices.extend(members)
        else:
            choices.append((group.label, members))
    return choices


def describe(outcome: str) -> str:
    """The outcome in words with its heading, e.g. "不予公开：属于国家秘密" (for letters, lists)."""
    if not outcome:
        return ""
    group = GROUP_OF[outcome]
    short = str(SHORT[group.key])
    if group.own_row:
        return short
    label = str(Outcome(outcome).label)
    return f"{short}：{label.split('.', 1)[-1]}"
