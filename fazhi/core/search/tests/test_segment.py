"""Segmentation and query parsing: the same words for documents and queries, no noise."""

import logging

import pytest

from fazhi.core.search import segment
from fazhi.core.search.segment import ParsedQuery, parse_query, segment_document


def test_a_document_is_indexed_with_words_and_their_sub_words():
    # given a dictionary word (低保对象) inside a sentence
    # when the document is segmented
    tokens = segment_document("城乡低保对象名单", "").split()
    # then both the word and the two-character words inside it are tokens
    assert tokens == ["城乡", "低保", "对象", "低保对象", "名单"]


def test_domain_terms_of_the_user_dictionary_stay_whole():
    assert segment_document("村务公开和居务公开", "").split() == [
        "村务",
        "公开",
        "村务公开",
        "和",
        "居务",
        "公开",
        "居务公开",
    ]
    assert segment_document("特困供养标准", "").split() == ["特困", "供养", "特困供养", "标准"]
    assert "合法性审查" in segment_document("行政规范性文件合法性审查", "").split()


def test_full_width_letters_digits_and_invisible_characters_are_normalised():
    assert segment_document("ＡＢＣ１２３", "低\u200b保") == "abc123 低保"


def test_punctuation_is_not_a_token():
    assert segment_document("低保，特困。", "（临时救助）「」!?") == "低保 特困 临时 救助 临时救助"


def test_a_query_word_matches_itself_or_all_its_sub_words():
    # given a query that is one dictionary word
    parsed = parse_query("低保对象")
    # then it matches the word, or 低保 and 对象 where a document was cut the other way
    assert parsed == ParsedQuery(
        groups=((("低保对象",), ("低保", "对象")),), terms=("低保对象", "低保", "对象")
    )


def test_characters_outside_every_sub_word_stand_alone_in_the_alternative():
    assert parse_query("好差评").groups == ((("好差评",), ("差评", "好")),)


def test_query_words_are_and_ed_and_stopwords_dropped_when_others_remain():
    assert parse_query("低保 的 特困").groups == ((("低保",),), (("特困",),))
    assert parse_query("的").groups == ((("的",),),)


@pytest.mark.parametrize("blank", ["", "   ", "\n\t", "，。！", "\u200b", None])
def test_a_blank_query_is_empty(blank):
    assert not parse_query(blank)


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ('"低保"', ((("低保",),),)),
        ("低保*", ((("低保",),),)),
        ("(低保)", ((("低保",),),)),
        ("title:低保", ((("title",),), (("低保",),))),
        ("低保 OR 特困", ((("低保",),), (("or",),), (("特困",),))),
    ],
)
def test_search_syntax_is_read_as_words(query, groups):
    assert parse_query(query).groups == groups


def test_a_long_query_is_cut(settings):
    settings.FAZHI_SEARCH_QUERY_MAX_CHARS = 4
    assert parse_query("低保特困临时救助").groups == ((("低保",),), (("特困",),))


def test_a_query_cut_inside_a_word_drops_the_fragment(settings):
    settings.FAZHI_SEARCH_QUERY_MAX_CHARS = 5
    assert parse_query("低保 特困供养").groups == ((("低保",),),)


def test_a_query_keeps_at_most_the_configured_number_of_words(settings):
    settings.FAZHI_SEARCH_QUERY_MAX_TERMS = 2
    assert len(parse_query("低保 特困 养老 婚姻").groups) == 2


def test_the_dictionary_loads_once_and_silently(capfd, monkeypatch):
    # given no tokenizer built yet in this process
    monkeypatch.setattr(segment, "_tokenizer", None)
    # when it is needed twice
    first = segment.tokenizer()
    second = segment.tokenizer()
    # then it was built once, and jieba said nothing on stdout or stderr
    assert first is second
    assert capfd.readouterr() == ("", "")
    assert logging.getLogger("jieba").level == logging.WARNING


def test_a_deployment_dictionary_is_loaded_after_the_bundled_one(tmp_path, settings, monkeypatch):
    extra = tmp_path / "extra.txt"
    extra.write_text("长者照护之家\n", encoding="utf-8")
    settings.FAZHI_SEARCH_EXTRA_DICT = str(extra)
    monkeypatch.setattr(segment, "_tokenizer", None)
    assert "长者照护之家" in segment_document("社区长者照护之家", "").split()
