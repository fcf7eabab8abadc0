# Owned by the appointments area while it is built; merged into one migration before release.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0003_cases")]

    operations = []
