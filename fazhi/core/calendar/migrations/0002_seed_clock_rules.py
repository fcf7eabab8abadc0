"""The default clock rules, from ../shared/domain-rules.md (numbers and sources there).

Rules whose number is UNCONFIRMED there say so in `note`, which the admin shows.
"""

from django.db import migrations

CONSULTATION = ["征求第三方意见", "征求其他机关意见"]

RULES = [
    {
        "procedure": "disclosure-reply",
        "name": "政府信息公开申请答复",
        "unit": "working",
        "budget_days": 20,
        "max_extension_days": 20,
        "pause_reasons": CONSULTATION,
        "basis": "《政府信息公开条例》第三十三条",
        "note": "已确认。延长须经政府信息公开工作机构负责人同意并告知申请人；"
        "征求第三方和其他机关意见所需时间不计算在内；补正后自收到补正申请之日起重新计算。",
    },
    {
        "procedure": "disclosure-supplement-notice",
        "name": "政府信息公开申请补正告知",
        "unit": "working",
        "budget_days": 7,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "《政府信息公开条例》第三十条",
        "note": "已确认。自收到申请之日起7个工作日内一次性告知。",
    },
    {
        "procedure": "disclosure-third-party-consultation",
        "name": "第三方意见答复",
        "unit": "working",
        "budget_days": 15,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "《政府信息公开条例》第三十二条、第三十四条",
        "note": "已确认。自第三方收到征求意见书之日起15个工作日；共同制作机关同此。",
    },
    {
        "procedure": "disclosure-proactive",
        "name": "主动公开",
        "unit": "working",
        "budget_days": 20,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "《政府信息公开条例》第二十六条",
        "note": "已确认。自信息形成或变更之日起20个工作日内，法律法规另有规定的从其规定。",
    },
    {
        "procedure": "legality-review",
        "name": "规范性文件合法性审核（最长）",
        "unit": "working",
        "budget_days": 15,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "国办发〔2018〕115号",
        "note": "未确认：不少于5个、最长15个工作日为通行说法，未见于原文，请核实后使用。",
    },
    {
        "procedure": "enforcement-publicity-licence-penalty",
        "name": "行政许可、行政处罚决定公示",
        "unit": "working",
        "budget_days": 7,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "国办发〔2018〕118号",
        "note": "已确认（国务院新闻发布会及地方实施办法）；118号文条款原文未读。",
    },
    {
        "procedure": "enforcement-publicity-other",
        "name": "其他行政执法决定公示",
        "unit": "working",
        "budget_days": 20,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "国办发〔2018〕118号",
        "note": "已确认（国务院新闻发布会及地方实施办法）；118号文条款原文未读。",
    },
    {
        "procedure": "bad-review-rectification",
        "name": "政务服务差评整改",
        "unit": "working",
        "budget_days": 15,
        "max_extension_days": 0,
        "pause_reasons": [],
        "basis": "国办发〔2019〕51号及地方实施办法",
        "note": "未确认：15个工作日为地方默认值，国家层面未见统一时限，请核实后使用。",
    },
]


def seed(apps, schema_editor):
    ClockRule = apps.get_model("calendar", "ClockRule")
    for rule in RULES:
        ClockRule.objects.update_or_create(
            agency=None, procedure=rule["procedure"], defaults=rule
        )


def unseed(apps, schema_editor):
    ClockRule = apps.get_model("calendar", "ClockRule")
    ClockRule.objects.filter(
        agency=None, procedure__in=[r["procedure"] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("calendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
