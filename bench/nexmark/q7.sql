-- Nexmark q7: highest bid. The maximum price of each 10-second tumbling window. Deviation: the reference joins the
-- maximum back to the bids of the window to output those bids; joins are not in this dialect yet, so the result is the
-- per-window maximum.
CREATE TABLE q7 WITH (consolidate='batch') AS SELECT window_start, window_end, max(price) AS maxprice
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_start, window_end;
