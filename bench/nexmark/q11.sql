-- Nexmark q11: user sessions. Bids per bidder in session windows with a 10-second gap (event time). A session is
-- [first bid, last bid] (Kafka Streams' / ksqlDB's windowend; Flink's SESSION_END is the last bid plus the gap).
CREATE TABLE q11 WITH (consolidate='batch') AS SELECT bidder, windowstart, windowend, count(*) AS bid_count FROM bid WINDOW SESSION (10 SECONDS) GROUP BY bidder;
