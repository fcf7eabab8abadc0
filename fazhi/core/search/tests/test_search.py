"""The search API on whichever database the test settings use (SQLite, or PostgreSQL when
FAZHI_TEST_DATABASE_URL is set): same calls, same hits, same snippets."""

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi.core.errors import InvalidInput
from fazhi.core.search.models import SearchDocument
from fazhi.core.search.selectors import search, search_count
from fazhi.core.search.services import index_document, rebuild_index, remove_document
from fazhi.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def put(key, title, body="", *, agency=None, is_public=True, kind="rules.document"):
    return index_document(
        target=(kind, str(key)),
        title=title,
        body=body,
        url=f"/docs/{key}/",
        agency=agency,
        is_public=is_public,
    )


def found(query, **scope):
    return [hit.target_id for hit in search(query, **scope)]


def test_a_two_character_word_finds_the_longer_word_it_is_part_of():
    # given a document mentioning 城乡低保对象
    put(1, "关于开展年度复核的通知", "各街道对城乡低保对象开展年度复核。")
    put(2, "关于养老服务的通知", "各街道做好养老服务工作。")
    # when searching the two-character word, or the longer word
    # then the document is found either way, and only it
    assert found("低保") == ["1"]
    assert found("低保对象") == ["1"]
    assert found("城乡低保") == ["1"]


def test_a_hit_carries_the_record_reference_and_a_marked_snippet():
    put(7, "低保审核办法", "第一条 为规范城乡低保对象审核，制定本办法。")
    [hit] = search("低保")
    assert (hit.target_type, hit.target_id, hit.title, hit.url) == (
        "rules.document",
        "7",
        "低保审核办法",
        "/docs/7/",
    )
    assert hit.snippet_html == "第一条 为规范城乡<mark>低保</mark>对象审核，制定本办法。"
    assert hit.title_html == "<mark>低保</mark>审核办法"
    assert hit.rank > 0


def test_a_term_in_title_and_body_ranks_above_a_single_mention():
    # given two documents of similar length, one with the term in title and body
    put("once", "社区工作通知", "请各居委会按时报送材料，低保名单另行通知。")
    put("twice", "低保工作通知", "请各居委会按时报送材料，低保名单另行通知。")
    # when searching
    hits = search("低保")
    # then the double mention comes first, with the higher rank
    assert [h.target_id for h in hits] == ["twice", "once"]
    assert hits[0].rank > hits[1].rank


def test_every_query_word_must_be_present():
    put(1, "特困供养", "特困人员供养标准。")
    put(2, "临时救助", "临时救助标准。")
    put(3, "特困人员临时救助", "特困人员可以申请临时救助。")
    assert found("特困 临时救助") == ["3"]
    assert sorted(found("救助")) == ["2", "3"]


def test_agency_scope_includes_site_wide_documents():
    # given documents of two agencies and one site-wide
    mine, other = AgencyFactory(), AgencyFactory()
    put("mine", "低保通知", agency=mine, is_public=False)
    put("other", "低保通知", agency=other, is_public=False)
    put("site", "低保通知", agency=None, is_public=False)
    # then each scope sees its own and the site-wide ones
    assert sorted(found("低保", agency_ids=[mine.pk])) == ["mine", "site"]
    assert sorted(found("低保", agency_ids=[mine.pk, other.pk])) == ["mine", "other", "site"]
    assert found("低保", agency_ids=[]) == ["site"]
    assert sorted(found("低保")) == ["mine", "other", "site"]


def test_public_only_hides_internal_documents():
    agency = AgencyFactory()
    put("public", "低保政策解读", agency=agency, is_public=True)
    put("internal", "低保内部审核意见", agency=agency, is_public=False)
    assert found("低保", public_only=True) == ["public"]
    assert found("低保", agency_ids=[agency.pk], public_only=True) == ["public"]
    assert search_count("低保", public_only=True) == 1


def test_target_types_restrict_the_records_searched():
    put(1, "低保办法", kind="rules.document")
    put(2, "低保申请指南", kind="services.guide")
    assert found("低保", target_types=["services.guide"]) == ["2"]
    assert found("低保", target_types=[]) == []


def test_indexing_again_replaces_the_document():
    # given a record indexed with one text
    put(1, "婚姻登记须知", "办理婚姻登记需要户口簿。")
    # when it is indexed again with another
    put(1, "收养登记须知", "办理收养登记需要证明材料。", is_public=False)
    # then only the new text is found, in one row
    assert found("婚姻登记") == []
    assert found("收养登记") == ["1"]
    assert found("收养登记", public_only=True) == []
    assert SearchDocument.objects.count() == 1


def test_a_removed_document_is_no_longer_found():
    put(1, "殡葬管理办法", "殡葬改革。")
    assert remove_document(("rules.document", "1")) is True
    assert found("殡葬") == []
    assert remove_document(("rules.document", "1")) is False


def test_a_model_instance_is_a_target():
    agency = AgencyFactory(name="示例区民政局")
    document = index_document(
        target=agency,
        title="示例区民政局",
        body="",
        url="/agencies/1/",
        agency=None,
        is_public=True,
    )
    assert (document.target_type, document.target_id) == ("core.agency", str(agency.pk))
    assert remove_document(agency) is True


def test_rows_deleted_without_the_service_leave_no_trace_in_the_index():
    # given an agency's documents deleted by cascade, not through remove_document
    agency = AgencyFactory()
    put(1, "低保通知", agency=agency)
    SearchDocument.objects.filter(agency=agency).delete()
    # then a new document reusing nothing of theirs is the only hit
    put(2, "低保公告")
    assert found("低保") == ["2"]
    assert search_count("低保") == 1


def test_html_in_documents_is_escaped():
    put(1, '<img src=x onerror="alert(1)">低保', '<script>alert("低保")</script>&nbsp;')
    [hit] = search("低保")
    assert hit.snippet_html == (
        "&lt;script&gt;alert(&quot;<mark>低保</mark>&quot;)&lt;/script&gt;&amp;nbsp;"
    )
    assert hit.title_html == ("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>低保</mark>")
    assert hit.title == '<img src=x onerror="alert(1)">低保'


ODD_QUERIES = [
    "",
    "   ",
    '"',
    '""',
    '"低保',
    "*",
    "低保*",
    "NEAR(低保 对象, 2)",
    "低保 AND",
    "AND OR NOT",
    "NOT 低保",
    "(",
    ")(",
    "segmented:低保",
    "^低保",
    "'",
    "''; DROP TABLE search_searchdocument; --",
    "\\",
    "%",
    "_",
    "低保 & | ! <-> :*",
    "\x00低保",
    "低保\ud800",
    "\u200b",
    "🙂低保",
    "低保" + "x" * 100_000,
    "低保 " * 10_000,
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_never_raises(query):
    put(1, "低保对象认定", "低保对象认定办法。")
    assert isinstance(search(query), list)
    assert isinstance(search_count(query), int)


@pytest.mark.parametrize(
    "query", ['"低保"', "低保*", "(低保)", "^低保", "\x00低保", "低保\ud800", "低保:"]
)
def test_search_syntax_around_a_word_still_finds_it(query):
    put(1, "低保对象认定", "低保对象认定办法。")
    assert found(query) == ["1"]


def test_a_very_long_query_is_cut_not_refused():
    put(1, "低保对象认定", "")
    assert found("低保 " * 10_000) == ["1"]


def test_a_search_is_one_query(django_assert_num_queries):
    for i in range(5):
        put(i, f"低保通知{i}", "低保对象名单。" * 20)
    with django_assert_num_queries(1):
        assert len(search("低保")) == 5


def test_pages_follow_the_ranking():
    for i in range(5):
        put(i, "低保通知", "低保" * (i + 1) + "。其他内容" * 5)
    everything = found("低保")
    assert found("低保", limit=2) == everything[:2]
    assert found("低保", limit=2, offset=2) == everything[2:4]
    assert found("低保", limit=2, offset=4) == everything[4:]
    assert search_count("低保") == 5


def test_a_page_larger_than_the_maximum_is_cut(settings):
    settings.FAZHI_SEARCH_MAX_LIMIT = 2
    for i in range(3):
        put(i, "低保通知")
    assert len(search("低保", limit=50)) == 2


@pytest.mark.parametrize(
    ("limit", "offset", "code"),
    [
        (0, 0, "search_bad_page"),
        (-1, 0, "search_bad_page"),
        (10, -1, "search_bad_page"),
        ("10", 0, "search_bad_page"),
        (10, 5000, "search_offset_too_deep"),
    ],
)
def test_bad_paging_is_refused_with_a_code(limit, offset, code):
    with pytest.raises(InvalidInput) as refused:
        search("低保", limit=limit, offset=offset)
    assert refused.value.code == code


def test_a_query_that_is_not_text_is_refused():
    with pytest.raises(InvalidInput) as refused:
        search(["低保"])
    assert refused.value.code == "search_bad_query"


def test_a_bad_scope_is_refused():
    with pytest.raises(InvalidInput) as refused:
        search("低保", agency_ids=["x"])
    assert refused.value.code == "search_bad_scope"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, "search_title_required"),
        ({"url": "javascript:alert(1)"}, "search_url_invalid"),
        ({"url": "https://example.com/"}, "search_url_invalid"),
        ({"url": "//example.com/"}, "search_url_invalid"),
        ({"url": "/a b"}, "search_url_invalid"),
        ({"target": ("not a type", "1")}, "search_target_invalid"),
        ({"target": ("rules.document", "")}, "search_target_invalid"),
        ({"target": "rules.document#1"}, "search_target_invalid"),
        ({"agency": 3}, "search_agency_invalid"),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_saved(changes, code):
    arguments = {
        "target": ("rules.document", "1"),
        "title": "低保通知",
        "body": "",
        "url": "/docs/1/",
        "agency": None,
        "is_public": True,
    } | changes
    with pytest.raises(InvalidInput) as refused:
        index_document(**arguments)
    assert refused.value.code == code
    assert not SearchDocument.objects.exists()


def test_an_unsaved_record_cannot_be_indexed():
    from fazhi.core.models import Agency

    with pytest.raises(InvalidInput) as refused:
        index_document(
            target=Agency(name="x"), title="x", body="", url="/x/", agency=None, is_public=True
        )
    assert refused.value.code == "search_target_unsaved"


def test_indexing_rolls_back_with_the_change_that_caused_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        put(1, "低保通知")
        raise RuntimeError("the domain change failed")
    assert found("低保") == []
    assert not SearchDocument.objects.exists()


def test_a_long_body_is_cut_at_a_sentence_end(settings):
    settings.FAZHI_SEARCH_BODY_MAX_CHARS = 30
    document = put(1, "通知", "第一句话讲低保。" + "第二句话讲特困供养和临时救助的事情，" * 3)
    assert document.body == "第一句话讲低保。"
    assert found("特困") == []


def test_text_that_a_database_cannot_store_is_dropped():
    document = put(1, "低保\x00通知", "低保\ud800对象\x07。")
    assert (document.title, document.body) == ("低保通知", "低保对象。")
    assert found("低保对象") == ["1"]


def test_full_width_and_upper_case_queries_match():
    put(1, "ＡＢＣ救助站", "Hotline 12345")
    assert found("abc") == ["1"]
    assert found("HOTLINE") == ["1"]
    assert found("１２３４５") == ["1"]


def test_rebuild_segments_again_and_repairs_the_index():
    # given documents whose stored segmentation went stale
    put(1, "低保通知", "城乡低保对象。")
    put(2, "特困通知", "特困供养。")
    SearchDocument.objects.filter(target_id="1").update(segmented="")
    assert found("低保") == []
    # when the index is rebuilt
    total, changed = rebuild_index(batch_size=1)
    # then every document was read, the stale one segmented again and found again
    assert (total, changed) == (2, 1)
    assert found("低保") == ["1"]
    assert found("特困") == ["2"]


def test_rebuild_restores_a_lost_engine_structure():
    # given the structure a table rebuild or an operator may lose (SQLite: the insert trigger;
    # PostgreSQL: the GIN index)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER search_fts_ai")
        else:
            cursor.execute("DROP INDEX search_document_vector_gin")
    put(1, "低保通知")
    # when the index is rebuilt
    rebuild_index()
    # then the structure is back and the document is found
    test_the_engine_structures_exist()
    assert found("低保") == ["1"]
    put(2, "低保公告")
    assert sorted(found("低保")) == ["1", "2"]


def test_the_engine_structures_exist():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE %s ORDER BY name", ["search_fts%"]
            )
            names = [row[0] for row in cursor.fetchall()]
            assert {"search_fts", "search_fts_ai", "search_fts_ad", "search_fts_au"} <= set(names)
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s",
                ["search_searchdocument"],
            )
            assert "search_document_vector_gin" in {row[0] for row in cursor.fetchall()}


WORDS = [
    "低保",
    "特困供养",
    "临时救助",
    "养老服务",
    "婚姻登记",
    "社会组织",
    "居委会",
    "村务公开",
    "行政规范性文件",
    "政府信息公开",
    "好差评",
    "合法性审查",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
    separators=st.lists(
        st.sampled_from(["，", "。", "、", " ", "\n", "；"]), min_size=6, max_size=6
    ),
)
def test_every_domain_word_of_a_document_finds_it(words, separators):
    body = "".join(w + s for w, s in zip(words, separators, strict=False))
    put("p", "通知", body)
    for word in words:
        assert found(word) == ["p"], (word, body)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=200))
def test_search_never_raises_for_any_text(query):
    put(1, "低保对象认定", "各街道对城乡低保对象、特困供养人员开展认定。")
    hits = search(query)
    assert len(hits) <= 1
    assert search_count(query) == len(hits)


def test_the_rebuild_command_reports_what_it_did():
    from io import StringIO

    from django.core.management import call_command

    put(1, "低保通知")
    out = StringIO()
    call_command("search_rebuild", stdout=out)
    assert out.getvalue() == "search index: 1 documents, 0 re-segmented\n"
