-- Nexmark q5 through a table of counts (the benchmark's q5 before session 13): bids per auction in hopping windows (2 s slide,
-- 10 s size) as a table, then a second query over it for the largest count of each window. It runs on several
-- partitions (q5.sql aggregates the aggregation in one pipeline, which runs on one partition only); checked against
-- q5's baseline.
CREATE TABLE q5_counts WITH (consolidate='batch') AS SELECT auction, window_start, window_end, count(*) AS num
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end;
CREATE TABLE q5 WITH (consolidate='batch') AS SELECT window_start, max(num) AS maxn FROM q5_counts GROUP BY window_start;
