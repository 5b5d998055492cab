#!/bin/sh
# sqlite.sh - sqlite3 workload of programs_check.sh: a database file built
# in transactions (50,000 rows from a recursive query, an index, a view),
# rewritten in WAL mode, queried, dumped, copied with .backup and VACUUM
# INTO.  The database files are compared too: sqlite writes the same bytes
# for the same statements.
set -eu
sqlite3 db.sqlite <<'SQL'
PRAGMA page_size = 4096;
CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO t (k, v) SELECT (i * 2654435761) % 1000, printf('row %d %x', i, i * 7919) FROM n;
COMMIT;
CREATE INDEX t_k ON t (k);
CREATE VIEW per_k AS SELECT k, count(*) AS c, sum(id) AS s FROM t GROUP BY k;
SELECT count(*), sum(k), max(v) FROM t;
SELECT * FROM per_k ORDER BY c DESC, k LIMIT 3;
SQL
sqlite3 db.sqlite <<'SQL'
PRAGMA journal_mode = WAL;
BEGIN;
UPDATE t SET v = upper(v) WHERE k < 100;
DELETE FROM t WHERE k % 10 = 3;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
PRAGMA integrity_check;
SELECT count(*), sum(length(v)) FROM t;
.backup backup.sqlite
VACUUM INTO 'vacuumed.sqlite';
PRAGMA journal_mode = DELETE;
SQL
sqlite3 vacuumed.sqlite .dump | sha256sum
sqlite3 backup.sqlite "SELECT count(*) FROM t WHERE v GLOB 'ROW*';"
sqlite3 -csv db.sqlite 'SELECT * FROM t ORDER BY id DESC LIMIT 3;'
