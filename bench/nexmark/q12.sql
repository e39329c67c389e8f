-- Nexmark q12: bids per bidder in 10-second tumbling windows. Deviation: the reference uses processing-time windows
-- (PROCTIME()), which make the result depend on the machine's speed; this uses event-time windows over date_time, so
-- the result is deterministic (and equals q12 under a source that emits in event time).
CREATE TABLE q12 WITH (consolidate='batch') AS SELECT bidder, window_start, window_end, count(*) AS bid_count
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY bidder, window_start, window_end;
