-- Nexmark q5: hot items. Bids per auction in hopping windows (2 s slide, 10 s size), then the largest count of each
-- window. Deviation: the reference joins the counts back to the per-window maximum to list the hottest auctions; joins
-- are not in this dialect yet, so the result table holds the maximum per window (the counts table holds every
-- auction's count, so the hot auctions are those with num = maxn).
CREATE TABLE q5_counts WITH (consolidate='batch') AS SELECT auction, window_start, window_end, count(*) AS num
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end;
CREATE TABLE q5 WITH (consolidate='batch') AS SELECT window_start, max(num) AS maxn FROM q5_counts GROUP BY window_start;
