# Owned by the cases area while it is built; merged into one migration before release.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0002_cases_appointments_ratings")]

    operations = []
