"""Search (core.search): one API over SQLite FTS5 and PostgreSQL tsvector, jieba-segmented."""
