-- Nexmark q15: bidding statistics per day. Flink's DATE_FORMAT(date_time, 'yyyy-MM-dd') is CAST(date_time AS DATE); each
-- `agg FILTER (WHERE c)` is written as the same aggregate over CASE WHEN c THEN x END (count skips NULLs), which is
-- equivalent: FILTER clauses do not parse yet.
CREATE TABLE q15 WITH (consolidate='batch') AS SELECT CAST(date_time AS DATE) AS day,
  count(*) AS total_bids,
  count(CASE WHEN price < 10000 THEN 1 END) AS rank1_bids,
  count(CASE WHEN price >= 10000 AND price < 1000000 THEN 1 END) AS rank2_bids,
  count(CASE WHEN price >= 1000000 THEN 1 END) AS rank3_bids,
  count(DISTINCT bidder) AS total_bidders,
  count(DISTINCT CASE WHEN price < 10000 THEN bidder END) AS rank1_bidders,
  count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN bidder END) AS rank2_bidders,
  count(DISTINCT CASE WHEN price >= 1000000 THEN bidder END) AS rank3_bidders,
  count(DISTINCT auction) AS total_auctions,
  count(DISTINCT CASE WHEN price < 10000 THEN auction END) AS rank1_auctions,
  count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN auction END) AS rank2_auctions,
  count(DISTINCT CASE WHEN price >= 1000000 THEN auction END) AS rank3_auctions
FROM bid GROUP BY CAST(date_time AS DATE);
