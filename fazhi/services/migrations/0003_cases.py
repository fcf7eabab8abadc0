# Owned by the cases area while it is built; merged into one migration before release.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("services", "0002_cases_appointments_ratings")]

    operations = [
        # The case list's search by applicant name (exact or prefix) over millions of cases.
        migrations.AddIndex(
            model_name="servicecase",
            index=models.Index(
                fields=["agency", "applicant_name"],
                name="services_case_applicant",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
