from hypothesis import given
from hypothesis import strategies as st

from fazhi.rules.diff import Row, compare

# Empty lines included: a blank line is a line on its side.
lines = st.lists(st.text(alphabet="第一二三条款低保审核", max_size=8), max_size=12)


def test_an_amended_article_shows_side_by_side():
    old = "第一条 目的\n第二条 适用范围\n第三条 审核时限为十五日"
    new = "第一条 目的\n第二条 适用范围\n第三条 审核时限为十个工作日\n第四条 施行日期"
    assert compare(old, new) == [
        Row("same", "第一条 目的", "第一条 目的"),
        Row("same", "第二条 适用范围", "第二条 适用范围"),
        Row("changed", "第三条 审核时限为十五日", "第三条 审核时限为十个工作日"),
        Row("added", "", "第四条 施行日期"),
    ]


@given(lines, lines)
def test_each_side_reads_back_its_own_text(left, right):
    old, new = "\n".join(left), "\n".join(right)
    rows = compare(old, new)
    assert [r.left for r in rows if r.kind != "added"] == old.splitlines()
    assert [r.right for r in rows if r.kind != "removed"] == new.splitlines()
