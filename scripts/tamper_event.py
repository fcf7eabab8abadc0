"""Alter one audit event directly in a SQLite database, as an intruder would; print its seq.

Used by .ci/run to show that `fazhi audit verify` names the altered event.
"""

import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
seq = db.execute("SELECT seq FROM core_event ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
db.execute("UPDATE core_event SET verb = 'forged' WHERE seq = ?", (seq,))
db.commit()
print(seq)
