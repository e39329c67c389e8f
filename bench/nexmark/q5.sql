-- Nexmark q5: hot items. Bids per auction in hopping windows (2 s slide, 10 s size), then the largest count of each
-- window, as one query: the counts are a subquery, aggregated again in the same pipeline (as the reference's
-- subqueries; no table of counts in between). Deviation: the reference joins the counts back to the per-window maximum
-- to list the hottest auctions; here the result holds the maximum per window.
CREATE TABLE q5 WITH (consolidate='batch') AS SELECT window_start, max(num) AS maxn
  FROM (SELECT auction, window_start, window_end, count(*) AS num
        FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end) counts
  GROUP BY window_start;
