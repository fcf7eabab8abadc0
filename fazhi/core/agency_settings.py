"""The legal numbers as per-agency settings (design principle 1).

Each number the law fixes is registered here with its default and its source from
../shared/domain-rules.md; an agency may set its own value in the admin (each change an
event). Code reads values with `get(agency, key)`; nothing hard-codes a legal number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.errors import InvalidInput
from fazhi.core.models.agency_settings import AgencySetting


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    default: int | bool | str
    source: str
    unit: str = ""
    minimum: int | None = None
    maximum: int | None = None
    # UNCONFIRMED in domain-rules.md: kept as the default, flagged in the admin's help text.
    confirmed: bool = True

    def help_text(self) -> str:
        flag = "" if self.confirmed else "（未确认：请核实后使用）"
        return f"默认 {self.default}{self.unit}；依据：{self.source}{flag}"

    def clean(self, value):
        """Coerce and check a value typed into the admin; raises InvalidInput."""
        kind = type(self.default)
        try:
            if kind is bool:
                if isinstance(value, str):
                    value = value.strip().lower() in {"1", "true", "yes", "是"}
                coerced = bool(value)
            elif kind is int:
                coerced = int(value)
            else:
                coerced = str(value).strip()
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("取值格式不正确。"), code="setting_type") from exc
        if kind is int:
            if self.minimum is not None and coerced < self.minimum:
                raise InvalidInput(
                    _("取值不能小于 %(n)s。") % {"n": self.minimum}, code="setting_range"
                )
            if self.maximum is not None and coerced > self.maximum:
                raise InvalidInput(
                    _("取值不能大于 %(n)s。") % {"n": self.maximum}, code="setting_range"
                )
        return coerced


_REGISTRY: dict[str, Definition] = {}


def register(definition: Definition) -> Definition:
    _REGISTRY[definition.key] = definition
    return definition


def definitions() -> list[Definition]:
    return sorted(_REGISTRY.values(), key=lambda d: d.key)


def definition(key: str) -> Definition:
    try:
        return _REGISTRY[key]
    except KeyError as exc:
        raise InvalidInput(_("未知的设置项。"), code="unknown_setting") from exc


def get(agency, key: str):
    """The agency's value for `key`, or the registered default.

    One indexed query, no cache: a value changed in the admin holds at once in every worker.
    """
    spec = definition(key)
    if agency is None:
        return spec.default
    agency_id = agency if isinstance(agency, int) else agency.pk
    row = AgencySetting.objects.filter(agency_id=agency_id, key=key).only("value").first()
    return spec.default if row is None else row.value


def setting_set(*, actor, agency, key: str, value, reason: str = "", request=None) -> AgencySetting:
    """Set an agency's value (the admin's save goes through here); an audit event records it."""
    spec = definition(key)
    coerced = spec.clean(value)
    with transaction.atomic():
        row = AgencySetting.objects.select_for_update().filter(agency=agency, key=key).first()
        old = spec.default if row is None else row.value
        if row is None:
            row = AgencySetting(agency=agency, key=key)
        row.value = coerced
        row.reason = reason
        row.updated_by = actor
        row.save()
        audit.record(
            "setting.change",
            actor=actor,
            agency=agency,
            target=row,
            request=request,
            data={"key": key, "from": old, "to": coerced, "reason": reason},
        )
    return row


def setting_reset(*, actor, agency, key: str, request=None) -> None:
    """Return to the default by removing the agency's value (recorded)."""
    spec = definition(key)
    with transaction.atomic():
        row = AgencySetting.objects.select_for_update().filter(agency=agency, key=key).first()
        if row is None:
            return
        audit.record(
            "setting.reset",
            actor=actor,
            agency=agency,
            target=row,
            request=request,
            data={"key": key, "from": row.value, "to": spec.default},
        )
        row.delete()


WD = "个工作日"
DAYS = "日"
YEARS = "年"
OGI = "《政府信息公开条例》"

for _definition in (
    # Government information disclosure (domain-rules.md §1)
    Definition(
        "disclosure.reply_workdays", "依申请公开答复期限", 20, f"{OGI}第三十三条", WD, 1, 60
    ),
    Definition(
        "disclosure.extension_workdays", "依申请公开延期上限", 20, f"{OGI}第三十三条", WD, 0, 60
    ),
    Definition(
        "disclosure.supplement_notice_workdays", "补正告知期限", 7, f"{OGI}第三十条", WD, 1, 30
    ),
    Definition(
        "disclosure.third_party_workdays", "第三方意见期限", 15, f"{OGI}第三十二条", WD, 1, 60
    ),
    Definition("disclosure.proactive_workdays", "主动公开时限", 20, f"{OGI}第二十六条", WD, 1, 60),
    Definition(
        "disclosure.free_items_per_month", "每月免费申请件数", 10, "国办函〔2020〕109号", "件", 0
    ),
    Definition("disclosure.free_pages", "免费页数", 30, "国办函〔2020〕109号", "页", 0),
    Definition(
        "disclosure.supplement_period_workdays",
        "申请人补正期限",
        15,
        f"本系统默认（{OGI}第三十条“合理的补正期限”）",
        WD,
        1,
        60,
    ),
    Definition(
        "disclosure.fee_payment_workdays",
        "缴纳信息处理费期限",
        20,
        "国办函〔2020〕109号（据四川省财政厅2021年1月通知转述）",
        WD,
        1,
        60,
        confirmed=False,
    ),
    Definition(
        "disclosure.fee_pauses_clock",
        "缴费期间不计入答复期限",
        True,
        "本系统默认（国办函〔2020〕109号原文未核实）",
        confirmed=False,
    ),
    # Normative documents (§2)
    Definition(
        "rules.consultation_min_workdays",
        "一般征求意见期",
        7,
        "法治政府建设示范创建指标第24项",
        WD,
        1,
    ),
    Definition(
        "rules.consultation_market_min_days",
        "涉市场主体征求意见期",
        30,
        "法治政府建设示范创建指标第24项",
        DAYS,
        1,
    ),
    Definition(
        "rules.legality_review_min_workdays",
        "合法性审核最短时间",
        5,
        "国办发〔2018〕115号",
        WD,
        0,
        confirmed=False,
    ),
    Definition(
        "rules.legality_review_max_workdays",
        "合法性审核最长时间",
        15,
        "国办发〔2018〕115号",
        WD,
        1,
        confirmed=False,
    ),
    Definition(
        "rules.validity_max_years", "有效期上限", 5, "沪府令第26号（2010）第26条", YEARS, 1, 10
    ),
    Definition(
        "rules.validity_interim_max_years",
        "暂行、试行文件有效期上限",
        2,
        "沪府令第26号（2010）第26条",
        YEARS,
        1,
        5,
    ),
    Definition(
        "rules.validity_notice_max_years",
        "通告有效期上限",
        1,
        "沪府令第26号（2010）第26条",
        YEARS,
        1,
        5,
    ),
    Definition(
        "rules.evaluation_months_before",
        "到期前评估提前量",
        6,
        "徐汇区实践（徐府办发〔2012〕14号）",
        "个月",
        1,
        24,
        confirmed=False,
    ),
    Definition(
        "rules.evaluation_due_months_before",
        "评估意见报送法制机构的提前量",
        2,
        "徐汇区实践（徐府办发〔2012〕14号）",
        "个月",
        1,
        12,
        confirmed=False,
    ),
    Definition(
        "rules.evaluation_confirm_months_before",
        "评估结论报区政府的提前量",
        1,
        "徐汇区实践（徐府办发〔2012〕14号）",
        "个月",
        0,
        12,
        confirmed=False,
    ),
    Definition(
        "rules.cleanup_proposal_workdays",
        "清理中部门提出意见的期限",
        20,
        "本系统默认",
        WD,
        1,
        60,
    ),
    Definition(
        "rules.adviser_opinion_workdays",
        "法律顾问出具意见的期限",
        5,
        "本系统默认（在合法性审核最长期限内）",
        WD,
        1,
        15,
    ),
    Definition("rules.filing_days", "备案期限", 30, "沪府办〔2004〕10号", DAYS, 1, confirmed=False),
    # Enforcement (§3)
    Definition(
        "enforcement.publicity_licence_penalty_workdays",
        "许可、处罚决定公示期限",
        7,
        "国办发〔2018〕118号",
        WD,
        1,
    ),
    Definition(
        "enforcement.publicity_other_workdays",
        "其他执法决定公示期限",
        20,
        "国办发〔2018〕118号",
        WD,
        1,
    ),
    Definition(
        "enforcement.withdraw_publication_workdays",
        "撤回公示期限",
        3,
        "《行政处罚法》第四十八条、第八十五条",
        WD,
        1,
    ),
    Definition(
        "enforcement.penalty_decision_days", "处罚决定期限", 90, "《行政处罚法》第六十条", DAYS, 1
    ),
    # Services (§4)
    Definition(
        "services.bad_review_rectify_workdays",
        "差评整改期限",
        15,
        "国办发〔2019〕51号（地方实践）",
        WD,
        1,
        confirmed=False,
    ),
    # Oversight and reminders
    Definition("notify.reminder_workdays", "到期前提醒", 3, "本系统默认", WD, 0, 30),
    # Committee affairs (§7)
    Definition(
        "committees.disclosure_interval_months",
        "村务一般事项公开间隔",
        3,
        "《村民委员会组织法》第三十条",
        "个月",
        1,
        12,
    ),
):
    register(_definition)
