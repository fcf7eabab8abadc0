"""The search index: one row per indexed record, its text beside its jieba segmentation.

The row is derived data. The record it points to (`target_type`, `target_id`) is the truth; the
index is rebuilt from it with `fazhi search_rebuild` after a dictionary change. The full-text
structures themselves are not model fields, because each backend needs a different one:

* SQLite: the FTS5 table `search_fts` (external content = this table), kept in step by triggers
  created in migration 0002, so even a cascade delete leaves no stale entry.
* PostgreSQL: the generated column `search_vector` (to_tsvector('simple', segmented)) with a GIN
  index, added in migration 0002.

Caution for later migrations: Django rebuilds a SQLite table to alter it, which drops its
triggers; a migration that alters this model must end with `RunPython` calling
`fazhi.core.search.backends.ensure_structures`, or operators run `fazhi search_rebuild`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    # Null: a site-wide document that belongs to no single agency (e.g. a district regulation).
    # Cascade because the row is derived: an agency's index goes with the agency.
    agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("机关"),
    )
    # `app_label.model` of the indexed record, as in the audit log.
    target_type = models.CharField(_("记录类型"), max_length=100)
    target_id = models.CharField(_("记录编号"), max_length=64)
    title = models.CharField(_("标题"), max_length=300)
    # The original text (cut to FAZHI_SEARCH_BODY_MAX_CHARS), for snippets.
    body = models.TextField(_("正文"), blank=True)
    # jieba cut_for_search tokens of title and body, space-separated: both words and their
    # sub-words, so "城乡低保对象" is found by "低保" and by "低保对象".
    segmented = models.TextField(_("分词文本"), blank=True)
    # Internal path of the record's page; never an outside address.
    url = models.CharField(_("链接"), max_length=500)
    # True: shown on the public portal. False: staff of the agency only.
    is_public = models.BooleanField(_("公开"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], name="search_document_target_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "is_public"], name="search_doc_agency_public"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id} {self.title}"
