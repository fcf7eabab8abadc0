import django.db.models.deletion
from django.db import migrations, models


# Owned by the ratings area while it is built; merged into one migration before release.
# RatingSms: the outbox of texts to citizens (rating links, answers to bad reviews).
class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_membership_committee"),
        ("services", "0004_appointments"),
    ]

    operations = [
        migrations.CreateModel(
            name="RatingSms",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("link", "评价链接短信"), ("answer", "差评反馈短信")],
                        max_length=10,
                        verbose_name="类别",
                    ),
                ),
                ("token_hash", models.CharField(blank=True, max_length=64)),
                ("phone_masked", models.CharField(max_length=20, verbose_name="手机号码")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待发送"),
                            ("sent", "已发送"),
                            ("failed", "发送失败"),
                            ("skipped", "未发送"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="发送次数")),
                ("error", models.CharField(blank=True, max_length=200, verbose_name="失败原因")),
                ("message_id", models.CharField(blank=True, max_length=200)),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rating_sms",
                        to="services.servicecase",
                    ),
                ),
                (
                    "follow_up",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="services.badreviewfollowup",
                    ),
                ),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="services.ratingtoken",
                    ),
                ),
            ],
            options={
                "verbose_name": "好差评短信",
                "verbose_name_plural": "好差评短信",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["case", "kind"], name="services_rating_sms_case")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "link"), ("token__isnull", False)),
                            models.Q(("kind", "answer"), ("follow_up__isnull", False)),
                            _connector="OR",
                        ),
                        name="services_rating_sms_subject",
                    )
                ],
            },
        ),
    ]
