"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Both receive the same `ParsedQuery`; user text reaches the SQL only as bound parameters (and,
for FTS5, inside double-quoted phrases), so query syntax typed by a user is plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from fazhi.core.search.models import SearchDocument
from fazhi.core.search.segment import ParsedQuery

TABLE = SearchDocument._meta.db_table
FTS_TABLE = "search_fts"
COLUMNS = "d.id, d.target_type, d.target_id, d.title, d.url, d.body"


@dataclass(frozen=True)
class Scope:
    """Which documents a search may return; None means no restriction on that dimension."""

    agency_ids: tuple[int, ...] | None = None
    public_only: bool = False
    target_types: tuple[str, ...] | None = None

    def sql(self) -> tuple[list[str], list[object]]:
        where: list[str] = []
        params: list[object] = []
        if self.agency_ids is not None:
            if self.agency_ids:
                marks = ", ".join(["%s"] * len(self.agency_ids))
                # Site-wide documents belong to every agency's search.
                where.append(f"(d.agency_id IN ({marks}) OR d.agency_id IS NULL)")
                params.extend(self.agency_ids)
            else:
                where.append("d.agency_id IS NULL")
        if self.public_only:
            where.append("d.is_public = %s")
            params.append(True)
        if self.target_types is not None:
            if self.target_types:
                marks = ", ".join(["%s"] * len(self.target_types))
                where.append(f"d.target_type IN ({marks})")
                params.extend(self.target_types)
            else:
                where.append("1 = 0")
        return where, params


# ---------------------------------------------------------------------------------------------
# SQLite FTS5


def fts5_expression(query: ParsedQuery) -> str:
    """The MATCH expression: every token a quoted phrase, groups AND-ed, alternatives OR-ed.

    Inside double quotes FTS5 reads AND, OR, NOT, NEAR, *, ^, : and parentheses as text; a
    double quote is escaped by doubling it.
    """

    def phrase(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def alternative(tokens: tuple[str, ...]) -> str:
        return "(" + " AND ".join(phrase(t) for t in tokens) + ")"

    return " AND ".join(
        "(" + " OR ".join(alternative(a) for a in group) + ")" for group in query.groups
    )


def _sqlite_search(query: ParsedQuery, scope: Scope, limit: int, offset: int) -> list[tuple]:
    where, params = scope.sql()
    conditions = " AND ".join([f"{FTS_TABLE} MATCH %s", *where])
    # bm25() is lower for better matches; the sign is turned so that every backend ranks
    # "higher is better". Table and column names are constants; values are parameters.
    sql = (
        f"SELECT {COLUMNS}, -bm25({FTS_TABLE}) AS score "  # noqa: S608
        f"FROM {FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid "
        f"WHERE {conditions} "
        "ORDER BY score DESC, d.updated_at DESC, d.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_expression(query), *params, limit, offset])
        return cursor.fetchall()


def _sqlite_count(query: ParsedQuery, scope: Scope) -> int:
    where, params = scope.sql()
    conditions = " AND ".join([f"{FTS_TABLE} MATCH %s", *where])
    sql = (
        f"SELECT COUNT(*) FROM {FTS_TABLE} JOIN {TABLE} d "  # noqa: S608
        f"ON d.id = {FTS_TABLE}.rowid WHERE {conditions}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_expression(query), *params])
        return cursor.fetchone()[0]


SQLITE_STRUCTURES = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "segmented, content='search_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, segmented) "
    "VALUES ('delete', old.id, old.segmented); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_au AFTER UPDATE OF segmented "
    "ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, segmented) "
    "VALUES ('delete', old.id, old.segmented); "
    "INSERT INTO search_fts(rowid, segmented) VALUES (new.id, new.segmented); END",
    # Rebuilding from the content table also repairs an index that missed changes.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]


# ---------------------------------------------------------------------------------------------
# PostgreSQL tsvector


def tsquery_sql(query: ParsedQuery) -> tuple[str, list[str]]:
    """A tsquery built in SQL from bound tokens.

    Each token goes through phraseto_tsquery with the 'simple' configuration, i.e. the parser
    that built the document's tsvector, so "2026年" or "foo-bar" become exactly the lexemes the
    documents hold, and no token is ever parsed as tsquery syntax.
    """
    params: list[str] = []

    def lexeme(token: str) -> str:
        params.append(token)
        return "phraseto_tsquery('simple'::regconfig, %s)"

    groups = []
    for group in query.groups:
        alternatives = [
            "(" + " && ".join(lexeme(t) for t in alternative) + ")" for alternative in group
        ]
        groups.append("(" + " || ".join(alternatives) + ")")
    return " && ".join(groups), params


def _postgresql_search(query: ParsedQuery, scope: Scope, limit: int, offset: int) -> list[tuple]:
    tsquery, query_params = tsquery_sql(query)
    where, params = scope.sql()
    conditions = " AND ".join(["d.search_vector @@ q.query", *where])
    # Normalisation 1 divides by 1 + log(length): a long document does not win by length
    # alone, like bm25's length term on SQLite.
    sql = (
        f"SELECT {COLUMNS}, ts_rank(d.search_vector, q.query, 1) AS score "  # noqa: S608
        f"FROM {TABLE} d, (SELECT {tsquery} AS query) q "
        f"WHERE {conditions} "
        "ORDER BY score DESC, d.updated_at DESC, d.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*query_params, *params, limit, offset])
        return cursor.fetchall()


def _postgresql_count(query: ParsedQuery, scope: Scope) -> int:
    tsquery, query_params = tsquery_sql(query)
    where, params = scope.sql()
    conditions = " AND ".join([f"d.search_vector @@ ({tsquery})", *where])
    sql = f"SELECT COUNT(*) FROM {TABLE} d WHERE {conditions}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*query_params, *params])
        return cursor.fetchone()[0]


# (check, statement): the statement runs only when the check finds nothing, so a healthy index
# costs two lookups and no DDL.
POSTGRESQL_STRUCTURES = [
    (
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'search_searchdocument' AND column_name = 'search_vector'",
        "ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, segmented)) STORED",
    ),
    (
        # In the row, compressed: ranking reads the vector of every match (see migration 0002).
        "SELECT 1 FROM pg_attribute WHERE attrelid = 'search_searchdocument'::regclass "
        "AND attname = 'search_vector' AND attstorage = 'm'",
        "ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN",
    ),
    (
        "SELECT 1 FROM pg_indexes WHERE indexname = 'search_document_vector_gin'",
        "CREATE INDEX search_document_vector_gin "
        "ON search_searchdocument USING GIN (search_vector)",
    ),
]


# ---------------------------------------------------------------------------------------------
# Dispatch


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise ImproperlyConfigured(
            f"Fazhi search supports SQLite and PostgreSQL, not {vendor}."  # for operators
        )
    return vendor


def run_search(query: ParsedQuery, scope: Scope, *, limit: int, offset: int) -> list[tuple]:
    """Rows (id, target_type, target_id, title, url, body, score), best first."""
    if _vendor() == "sqlite":
        return _sqlite_search(query, scope, limit, offset)
    return _postgresql_search(query, scope, limit, offset)


def run_count(query: ParsedQuery, scope: Scope) -> int:
    if _vendor() == "sqlite":
        return _sqlite_count(query, scope)
    return _postgresql_count(query, scope)


def ensure_structures(conn=None) -> None:
    """Create whatever full-text structure is missing (idempotent) and, on SQLite, rebuild the
    FTS5 index from the table.

    Used by `fazhi search_rebuild`, and by any later migration that alters the table (pass
    `schema_editor.connection`): Django rebuilds a SQLite table to alter it, dropping its
    triggers.
    """
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for statement in SQLITE_STRUCTURES:
                cursor.execute(statement)
        elif conn.vendor == "postgresql":
            for check, statement in POSTGRESQL_STRUCTURES:
                cursor.execute(check)
                if cursor.fetchone() is None:
                    # Run the deferred checks now: DDL is refused while any is pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(statement)
