"""Chinese first, with the English translation kept complete."""

from pathlib import Path

import polib
import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"run `make messages`: {entry.msgid!r} missing from django.mo"
        assert compiled[key] == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))


def test_every_interface_string_is_in_the_catalogue():
    """Each {% translate %} literal in the templates has an entry (makemessages was run)."""
    import re

    po_ids = {e.msgid for e in polib.pofile(str(PO))}
    templates = Path(__file__).resolve().parents[2] / "templates"
    pattern = re.compile(r'{% translate "([^"]+)" %}')
    missing = {
        text
        for path in templates.rglob("*.html")
        for text in pattern.findall(path.read_text())
        if text not in po_ids
    }
    assert missing == set()


@pytest.mark.django_db
def test_pages_switch_to_english():
    client = Client()
    assert "法治政府建设公开平台" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Rule-of-Law Government Portal" in page
    assert 'lang="en"' in page


@pytest.mark.django_db
def test_chinese_by_default_whatever_the_browser_says():
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "法治政府建设公开平台" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
