"""Typed links from a document being made to issued documents: it revises, repeals or rests on
them. The badges 已修订 / 已废止 follow from these links once the newer document is published
(rules/status.py), so a link can be changed only while its source is still being made.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from fazhi.core import audit
from fazhi.core.errors import Conflict, InvalidInput, NotAllowed
from fazhi.rules.models import DocumentLink, NormativeDocument

State = NormativeDocument.State


def _lock(document: NormativeDocument) -> NormativeDocument:
    return NormativeDocument.objects.select_for_update().get(pk=document.pk)


def _require_open_source(source: NormativeDocument) -> None:
    if source.state not in NormativeDocument.OPEN_STATES:
        raise Conflict(
            _("文件当前为“%(state)s”，只能在公布前调整与其他文件的关系。")
            % {"state": source.get_state_display()},
            code="source_not_open",
        )


def _event(verb: str, *, actor, source: NormativeDocument, link: DocumentLink) -> None:
    audit.record(
        f"normative.link.{verb}",
        actor=actor,
        agency=source.agency,
        target=source,
        from_state=source.state,
        to_state=source.state,
        data={
            "link": link.pk,
            "kind": link.kind,
            "target": link.target_id,
            "target_title": link.target.title[:100],
        },
    )


def link_add(*, actor, source: NormativeDocument, target: NormativeDocument, kind: str):
    """Record that `source` (not yet issued) revises, repeals or rests on `target` (issued,
    same agency). Refuses a link to itself, a duplicate, and revising or repealing a document
    that has already ended."""
    if kind not in DocumentLink.Kind.values:
        raise InvalidInput(_("请选择关系类型。"), code="kind_required")
    if source.pk == target.pk:
        raise InvalidInput(_("文件不能与自身建立关系。"), code="link_self")
    with transaction.atomic():
        locked = _lock(source)
        if not actor.has_perm("normative.draft_document", locked):
            raise NotAllowed()
        _require_open_source(locked)
        target = NormativeDocument.objects.select_for_update().get(pk=target.pk)
        if target.agency_id != locked.agency_id or target.state != State.ISSUED:
            raise InvalidInput(_("只能关联本机关已公布的文件。"), code="target_not_issued")
        if kind != DocumentLink.Kind.BASED_ON and target.ended_on is not None:
            raise InvalidInput(
                _("“%(title)s”已废止或宣布失效，不能再修订或废止。") % {"title": target.title},
                code="target_ended",
            )
        if DocumentLink.objects.filter(source=locked, target=target, kind=kind).exists():
            raise Conflict(_("该关系已经存在。"), code="link_exists")
        try:
            with transaction.atomic():
                link = DocumentLink.objects.create(
                    source=locked, target=target, kind=kind, created_by=actor
                )
        except IntegrityError as exc:  # a concurrent request added the same link
            raise Conflict(_("该关系已经存在。"), code="link_exists") from exc
        _event("add", actor=actor, source=locked, link=link)
    return link


def link_remove(*, actor, link: DocumentLink) -> None:
    """Take a link back while its source is still being made; the event keeps what it was."""
    with transaction.atomic():
        source = _lock(link.source)
        if not actor.has_perm("normative.draft_document", source):
            raise NotAllowed()
        _require_open_source(source)
        locked = DocumentLink.objects.select_related("target").filter(pk=link.pk).first()
        if locked is None:
            raise Conflict(_("该关系已被删除，请刷新。"), code="state_changed")
        _event("remove", actor=actor, source=source, link=locked)
        locked.delete()
