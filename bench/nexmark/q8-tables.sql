-- Nexmark q8 as three statements (q8.sql is the one-statement form): monitor new users. The persons who registered and opened an auction in the same 10-second tumbling
-- window: as the reference, two windowed aggregations joined on (id, window start, window end). Each aggregation's
-- table is keyed by its three group columns, and a table-table join on a whole composite key matches both tables'
-- records by that key. The result is the reference's (id, name, starttime) plus endtime: every key column of the
-- joined table must be selected. The group keys start with each stream's key column (person id, auction seller), so
-- with several partitions each group's rows are already in one partition: no repartition stage.
CREATE TABLE q8_persons WITH (consolidate='batch') AS
  SELECT id, window_start, window_end, max(name) AS name FROM TUMBLE(person, date_time, INTERVAL '10' SECOND) GROUP BY id, window_start, window_end;
CREATE TABLE q8_sellers WITH (consolidate='batch') AS
  SELECT seller, window_start, window_end, count(*) AS auctions FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND) GROUP BY seller, window_start, window_end;
CREATE TABLE q8 AS SELECT p.id, p.name, p.window_start AS starttime, p.window_end AS endtime
  FROM q8_persons p JOIN q8_sellers s ON p.id = s.seller AND p.window_start = s.window_start AND p.window_end = s.window_end;
