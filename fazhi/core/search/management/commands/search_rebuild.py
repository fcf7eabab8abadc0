"""`fazhi search_rebuild`: segment every indexed document again and repair the index."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fazhi.core.search.services import rebuild_index


class Command(BaseCommand):
    help = "Re-segment every search document with the current dictionaries and rebuild the index."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        total, changed = rebuild_index(batch_size=batch_size)
        self.stdout.write(f"search index: {total} documents, {changed} re-segmented")
