-- Nexmark q8: monitor new users. The persons who registered and opened an auction in the same 10-second tumbling
-- window: the reference's join of two windowed aggregations on (id, window start, window end), in one statement. Each
-- subquery runs as a stage writing an internal table keyed by its group keys (the engine's row format, each batch's net
-- change per group), and the statement joins the two tables on their whole keys. The person side takes max(name) per
-- (id, window) where the reference groups by name too: the join must equate each side's whole group key, and a person's
-- name never changes. Every key column of the joined table must be selected, so the result has endtime besides the
-- reference's (id, name, starttime). The group keys start with each stream's key column (person id, auction seller), so
-- with several partitions each group's rows are already in one partition: no repartition stage.
-- q8-tables.sql is the same as three statements: two user tables (JSON changelogs) and their join.
CREATE TABLE q8 AS SELECT p.id, p.name, p.starttime, p.endtime
  FROM (SELECT id, max(name) AS name, window_start AS starttime, window_end AS endtime
          FROM TUMBLE(person, date_time, INTERVAL '10' SECOND) GROUP BY id, window_start, window_end) p
  JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
          FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND) GROUP BY seller, window_start, window_end) a
  ON p.id = a.seller AND p.starttime = a.starttime AND p.endtime = a.endtime;
