"""Receivers for django-axes: the lockout itself is an audit event (security.md)."""

from axes.signals import user_locked_out
from django.dispatch import receiver

from fazhi.core import audit


@receiver(user_locked_out, dispatch_uid="fazhi_lockout_event")
def record_lockout(sender, request, username, ip_address, **kwargs):
    audit.record(
        "auth.lockout",
        request=request,
        ip=ip_address,
        result="refused",
        actor_name=(username or "")[:150],
        data={"username": (username or "")[:150]},
    )
