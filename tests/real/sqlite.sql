-- SQLite workload for tests/real/run.sh: runs in the sqlite3 shell on a file database,
-- under vm and natively, and the outputs must be equal. Exercises inserts through a
-- recursive CTE, indexes, aggregates, window functions, JSON, a WITHOUT ROWID table,
-- transactions, a self-join, math and string functions, integrity_check and VACUUM.
.headers on
.mode list
PRAGMA journal_mode = WAL;
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INT, val REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
INSERT INTO t SELECT x, printf('name%05d', x), x % 17, (x * 7919 % 10007) / 3.0 FROM c;
CREATE INDEX t_grp ON t(grp, val);
SELECT grp, count(*), printf('%.4f', avg(val)), min(name), max(val) FROM t GROUP BY grp ORDER BY grp;
SELECT name, val, rank() OVER (PARTITION BY grp ORDER BY val DESC) AS r
  FROM t WHERE id % 997 = 0 ORDER BY name;
CREATE TABLE u(k TEXT PRIMARY KEY, j TEXT) WITHOUT ROWID;
INSERT INTO u SELECT 'k' || id, json_object('id', id, 'sq', id * id, 'tags', json_array(grp, name))
  FROM t WHERE id <= 500;
SELECT k, json_extract(j, '$.sq'), json_extract(j, '$.tags[1]') FROM u WHERE k LIKE 'k4%'
  ORDER BY k LIMIT 10;
SELECT count(*), sum(length(j)) FROM u;
BEGIN;
UPDATE t SET val = val * 2 WHERE grp = 3;
DELETE FROM t WHERE id % 5 = 0;
COMMIT;
SELECT count(*), printf('%.3f', sum(val)) FROM t;
SELECT a.grp, count(*) FROM t a JOIN t b ON a.id = b.id + 1 AND a.grp = b.grp
  GROUP BY a.grp ORDER BY 2 DESC, 1 LIMIT 5;
SELECT sqrt(2), exp(1), ln(10), pi(), 1e308 * 10, 1 / 3.0, round(2.5), cast(9223372036854775807 AS REAL);
SELECT upper(name), substr(name, 5), replace(name, '0', '_') FROM t WHERE id < 4;
PRAGMA integrity_check;
PRAGMA journal_mode = DELETE;
VACUUM;
SELECT count(*) FROM t;
