"""Let `fazhi audit prune` delete expired events on PostgreSQL; UPDATE stays refused always."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION fazhi_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fazhi.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'core_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION fazhi_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_numbering_and_agency_settings")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
