"""Full-text search over 100,000 segmented civil-affairs documents, on SQLite or PostgreSQL.

    python -m bench.search_bench                                   # SQLite file in a temp folder
    python -m bench.search_bench postgresql://postgres@127.0.0.1:5432/DBNAME
    python -m bench.search_bench URL --documents 20000             # a quicker run

Generates realistic documents (titles and bodies assembled from civil-affairs vocabulary and
filler), indexes them through `index_document` (jieba segmentation + upsert), then times
`search()` (ranked, highlighted top 20) against a plain `icontains` LIKE scan returning the same
page of the same rows, newest first, in the same process and database, and prints the ratio
(below 1: the index is faster). Counting all matches is compared the same way. The benchmark
documents are deleted at the end; a PostgreSQL database must exist (it is migrated).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

TARGET_TYPE = "bench.document"
BATCH = 1_000

# Weighted like a district civil affairs bureau's documents: 低保 everywhere, 福利彩票 rarely.
TOPICS: list[tuple[str, int]] = [
    ("低保", 30),
    ("特困供养", 14),
    ("临时救助", 14),
    ("养老服务", 18),
    ("婚姻登记", 8),
    ("社会组织", 10),
    ("居委会", 12),
    ("村务公开", 6),
    ("行政规范性文件", 6),
    ("政府信息公开", 8),
    ("医疗救助", 6),
    ("残疾人两项补贴", 4),
    ("困境儿童", 4),
    ("殡葬管理", 3),
    ("区划地名", 2),
    ("志愿服务", 5),
    ("老年助餐", 4),
    ("社会救助", 10),
    ("合法性审查", 3),
    ("重大行政决策", 3),
    ("好差评", 2),
    ("收养登记", 2),
    ("居家养老", 5),
    ("基层治理", 4),
    ("流浪乞讨人员救助", 2),
    ("福利彩票公益金", 1),
]
PLACES = [
    "东湖街道", "西城街道", "南山镇", "北塘镇", "滨江街道", "新华街道", "长宁路街道",
    "花园新村", "永安村", "青松居民区", "幸福里社区", "枫林街道",
]  # fmt: skip
UNITS = [
    "区民政局", "街道办事处", "镇人民政府", "居委会", "村委会", "社区事务受理服务中心",
    "区社会救助事务管理中心", "区养老服务指导中心", "区婚姻登记中心", "区社会组织服务中心",
]  # fmt: skip
LAWS = [
    "社会救助暂行办法", "中华人民共和国民法典", "中华人民共和国城市居民委员会组织法",
    "中华人民共和国村民委员会组织法", "中华人民共和国政府信息公开条例", "养老机构管理办法",
    "婚姻登记条例", "殡葬管理条例", "社会团体登记管理条例", "重大行政决策程序暂行条例",
]  # fmt: skip
CHANNELS = ["一网通办平台", "社区事务受理服务中心窗口", "社区通", "信函", "政务服务热线"]
PRINCIPLES = ["公开公平公正", "应保尽保、应退尽退", "依法依规", "便民高效", "动态管理"]
DOCTYPES = ["通知", "实施方案", "管理办法", "实施细则", "工作指引", "公告", "意见"]
TITLES = [
    "关于做好{year}年度{topic}工作的通知",
    "{place}{topic}实施方案",
    "关于印发《{topic}管理办法》的{doctype}",
    "关于进一步加强{topic}和{topic2}工作的意见",
    "{topic}办事指南（{year}年版）",
    "{place}{year}年{month}月{topic}情况公示",
    "关于调整{topic}标准的{doctype}",
]
SENTENCES = [
    "为进一步做好{topic}工作，根据《{law}》等有关规定，结合本区实际，制定本{doctype}。",
    "{place}应当于{year}年{month}月{day}日前完成{topic}对象的审核确认。",
    "对符合条件的申请人，由{unit}按照规定程序办理{topic}手续。",
    "{unit}要加强{topic}政策宣传，做好{topic2}与{topic}的衔接。",
    "申请人可以通过{channel}提交申请材料，办理时限为{n}个工作日。",
    "本{doctype}自{year}年{month}月{day}日起施行，有效期{n}年。",
    "各{unit}要坚持{principle}的原则，规范{topic}工作流程，接受社会监督。",
    "{place}共有{topic}对象{count}户{people}人，本月发放资金{money}元。",
    "对{topic}工作中发现的问题，{unit}应当及时整改并向区民政局报告。",
    "{unit}负责本辖区{topic}工作的组织实施和监督管理。",
]


@dataclass(frozen=True)
class Document:
    key: int
    title: str
    body: str
    agency_index: int
    is_public: bool


def generate(count: int, seed: int = 2026) -> Iterator[Document]:
    """`count` documents, the same for a given seed on every machine."""
    rng = random.Random(seed)
    names = [t for t, _ in TOPICS]
    weights = [w for _, w in TOPICS]

    def fill(template: str, topic: str) -> str:
        return template.format(
            topic=topic,
            topic2=rng.choices(names, weights)[0],
            place=rng.choice(PLACES),
            unit=rng.choice(UNITS),
            law=rng.choice(LAWS),
            channel=rng.choice(CHANNELS),
            principle=rng.choice(PRINCIPLES),
            doctype=rng.choice(DOCTYPES),
            year=rng.randint(2018, 2026),
            month=rng.randint(1, 12),
            day=rng.randint(1, 28),
            n=rng.randint(3, 20),
            count=rng.randint(10, 900),
            people=rng.randint(10, 1500),
            money=rng.randint(1000, 900000),
        )

    for key in range(count):
        topic = rng.choices(names, weights)[0]
        title = fill(rng.choice(TITLES), topic)
        body = "".join(fill(rng.choice(SENTENCES), topic) for _ in range(rng.randint(4, 9)))
        yield Document(key, title, body, rng.randrange(5), rng.random() < 0.6)


def _setup(backend_url: str | None) -> None:
    """Configure Django on `backend_url` (or keep the configured database when None)."""
    from django.apps import apps

    if apps.ready:
        if backend_url is not None:
            raise RuntimeError(
                "Django is already set up on another database; run `python -m bench.search_bench "
                "URL` in its own process, or call bench_search(None)."
            )
        return
    workdir = tempfile.mkdtemp(prefix="fazhi-bench-search-")
    os.environ.setdefault("FAZHI_VAR_DIR", workdir)
    os.environ["FAZHI_DATABASE_URL"] = backend_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings.dev"
    os.environ["FAZHI_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Query logging of DEBUG would time the logging, not the database.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)


def _best(func: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _engine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (FTS5)"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]} (tsvector + GIN)"


def _index(documents: list[Document]) -> float:
    from django.db import transaction

    from fazhi.core.models import Agency
    from fazhi.core.search.services import index_document

    agencies = [
        Agency.objects.get_or_create(
            code=f"bench-search-{i}",
            defaults={"name": f"基准检索机关{i}", "short_name": "基", "region": "基准区"},
        )[0]
        for i in range(5)
    ]
    start = time.perf_counter()
    for first in range(0, len(documents), BATCH):
        with transaction.atomic():
            for doc in documents[first : first + BATCH]:
                index_document(
                    target=(TARGET_TYPE, str(doc.key)),
                    title=doc.title,
                    body=doc.body,
                    url=f"/bench/{doc.key}/",
                    agency=agencies[doc.agency_index],
                    is_public=doc.is_public,
                )
    return time.perf_counter() - start


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")


def _cleanup() -> None:
    from fazhi.core.models import Agency
    from fazhi.core.search.models import SearchDocument

    SearchDocument.objects.filter(target_type=TARGET_TYPE).delete()
    Agency.objects.filter(code__startswith="bench-search-").delete()


QUERIES: list[tuple[str, str, dict]] = [
    # (label, query, scope)
    ("common word 低保", "低保", {}),
    ("two words", "特困供养 临时救助", {}),
    ("medium word 婚姻登记", "婚姻登记", {}),
    ("rare word 福利彩票", "福利彩票", {}),
    ("public, 养老服务", "养老服务", {"public_only": True}),
    ("two words, public", "居委会 好差评", {"public_only": True}),
]


def _baseline_queryset(query: str, scope: dict):
    """The same rows found the plain way: every word as a substring of title or body."""
    from django.db.models import Q

    from fazhi.core.search.models import SearchDocument

    rows = SearchDocument.objects.filter(target_type=TARGET_TYPE)
    if scope.get("public_only"):
        rows = rows.filter(is_public=True)
    for word in query.split():
        rows = rows.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return rows


def bench_search(backend_url: str | None = None, documents: int = 100_000, repeat: int = 5) -> None:
    """Index `documents` documents on `backend_url` and time queries against a LIKE scan.

    `backend_url` None uses the database Django is already configured with (as `python -m
    bench` sets up); otherwise Django is set up on that URL in this process.
    """
    _setup(backend_url)
    from fazhi.core.search.selectors import search, search_count

    print(
        f"Search benchmark · {documents:,} documents · {_engine()} · Python "
        f"{platform.python_version()} · {platform.machine()} · {os.cpu_count()} cores"
    )
    _cleanup()
    generated = list(generate(documents))
    chars = sum(len(d.title) + len(d.body) for d in generated)
    seconds = _index(generated)
    _analyze()
    print(
        f"{'indexing':<24} {seconds:8.1f} s   {documents / seconds:8.0f} docs/s   "
        f"({chars / documents:.0f} characters per document; jieba + upsert)"
    )
    print(
        f"{'query':<24} {'hits':>7} {'LIKE hits':>9}   {'fazhi ms':>9} {'LIKE ms':>9} {'ratio':>6}"
        f"   {'count ms':>9} {'LIKE ms':>9} {'ratio':>6}"
    )
    for label, query, scope in QUERIES:
        baseline = _baseline_queryset(query, scope)
        page = search(query, limit=20, **scope)
        assert page, f"no hit for {query}"
        hits = search_count(query, **scope)
        like_hits = baseline.count()
        subject = _best(lambda q=query, s=scope: search(q, limit=20, **s), repeat)
        plain = _best(
            lambda b=baseline: list(
                b.order_by("-updated_at", "-id").values_list("title", "url", "body")[:20]
            ),
            repeat,
        )
        subject_count = _best(lambda q=query, s=scope: search_count(q, **s), repeat)
        plain_count = _best(lambda b=baseline: b.count(), repeat)
        print(
            f"{label:<24} {hits:>7} {like_hits:>9}   {subject * 1e3:9.1f} {plain * 1e3:9.1f} "
            f"{subject / plain:6.2f}   {subject_count * 1e3:9.1f} {plain_count * 1e3:9.1f} "
            f"{subject_count / plain_count:6.2f}"
        )
    _cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database URL (default: SQLite in a temp folder)")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bench_search(args.url or None, documents=args.documents, repeat=args.repeat)


if __name__ == "__main__":
    main()
