"""Snippets: escaped, marked, around the first match; identical whatever the database."""

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from fazhi.core.search.highlight import highlight, snippet
from fazhi.core.search.segment import clean_stored


def test_the_longest_term_is_marked_and_everything_else_escaped():
    assert highlight('<b>城乡低保对象</b> & "低保"', ["低保", "低保对象"]) == (
        "&lt;b&gt;城乡<mark>低保对象</mark>&lt;/b&gt; &amp; &quot;<mark>低保</mark>&quot;"
    )


def test_the_window_starts_a_little_before_the_first_match():
    body = "甲" * 100 + "低保" + "乙" * 100
    assert snippet(body, ["低保"], 20) == "…" + "甲" * 5 + "<mark>低保</mark>" + "乙" * 13 + "…"


def test_without_a_match_in_the_body_the_snippet_is_its_start():
    assert snippet("第一条 为了规范管理。\n第二条 适用范围。", ["低保"], 12) == (
        "第一条 为了规范管理。…"
    )


def test_full_width_and_case_variants_are_marked_in_the_original_text():
    assert highlight("ＡＢＣ救助站与abc", ["abc"]) == "<mark>ＡＢＣ</mark>救助站与<mark>abc</mark>"


def test_an_empty_body_gives_an_empty_snippet():
    assert snippet("", ["低保"], 120) == ""


_MARKS = re.compile(r"</?mark>")


@given(
    body=st.text(max_size=400),
    terms=st.lists(st.text(min_size=1, max_size=6), max_size=5),
    width=st.integers(min_value=1, max_value=200),
)
def test_a_snippet_holds_no_markup_but_ours_and_only_text_of_the_body(body, terms, width):
    body = clean_stored(body)  # what the index stores
    result = snippet(body, terms, width)
    bare = _MARKS.sub("", result)
    assert "<" not in bare and ">" not in bare
    text = html.unescape(bare).removeprefix("…").removesuffix("…")
    assert text in re.sub(r"\s+", " ", body)
