import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fazhi.core import audit
from fazhi.core.models import Event
from fazhi.core.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


def _tamper(event: Event, **changes) -> None:
    """Alter a row behind the model's back, as an intruder with database access would."""
    table = Event._meta.db_table
    sets = ", ".join(f"{column} = %s" for column in changes)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A database superuser can switch user triggers off; the chain must still tell.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"UPDATE {table} SET {sets} WHERE seq = %s", [*changes.values(), event.seq])  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_form_a_chain():
    first = audit.record("test.one", data={"n": 1})
    second = audit.record("test.two", data={"n": 2})
    assert first.seq + 1 == second.seq
    assert second.prev_hash == first.hash
    assert first.prev_hash == audit.GENESIS
    assert audit.verify_chain() == audit.VerifyResult(True, 2)


def test_model_refuses_update_and_delete():
    event = audit.record("test.one")
    event.verb = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(verb="changed")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).verb == "test.one"


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_update():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    event = audit.record("test.one")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET verb = 'x' WHERE seq = %s", [event.seq])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event WHERE seq = %s", [event.seq])


def test_verify_names_the_altered_event():
    audit.record("test.one")
    middle = audit.record("test.two", data={"amount": 100})
    audit.record("test.three")
    _tamper(middle, data='{"amount": 1}')
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken_seq == middle.seq
    assert result.checked == 1


def test_audit_verify_command(capsys):
    audit.record("test.one")
    call_command("audit", "verify")
    assert "审计链完好" in capsys.readouterr().out
    event = audit.record("test.two")
    _tamper(event, verb="test.forged")
    with pytest.raises(CommandError, match=f"#{event.seq}"):
        call_command("audit", "verify")


def test_failed_change_leaves_no_event():
    from django.db import transaction

    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled_back")
        raise RuntimeError
    assert Event.objects.count() == before
    assert audit.verify_chain().ok


def _rechain() -> None:
    """Recompute every hash after re-dating rows, as the chain would have been written."""
    from fazhi.core.models import ChainHead

    prev = audit.GENESIS
    for event in Event.objects.order_by("seq"):
        event.prev_hash = prev
        event.hash = audit.compute_hash(prev, event)
        _tamper(event, prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    ChainHead.objects.filter(id=1).update(hash=prev)


def test_prune_keeps_the_chain_verifiable_and_leaves_an_event(capsys):
    old = [audit.record("test.old", data={"i": i}) for i in range(3)]
    recent = audit.record("test.recent")
    from datetime import timedelta

    from django.utils import timezone

    for event in old:
        event.at = timezone.now() - timedelta(days=200)
        _tamper(event, at=event.at)
    _rechain()
    assert audit.verify_chain().ok
    call_command("audit", "prune", "--days", "180")
    assert "已清理 3 条" in capsys.readouterr().out
    assert not Event.objects.filter(verb="test.old").exists()
    assert Event.objects.filter(seq=recent.seq).exists()
    prune_event = Event.objects.get(verb="audit.prune")
    assert prune_event.data["deleted"] == 3
    result = audit.verify_chain()
    assert result.ok and result.checked == 2
    # Pruning again finds nothing; the chain stays whole.
    call_command("audit", "prune", "--days", "180")
    assert audit.verify_chain().ok


def test_prune_refuses_a_retention_below_the_legal_minimum():
    audit.record("test.one")
    with pytest.raises(CommandError, match="180"):
        call_command("audit", "prune", "--days", "30")
    assert Event.objects.count() == 1
