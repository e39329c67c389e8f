-- Nexmark q16: channel statistics per day: q15 per (channel, day), plus the latest minute ('HH:mm') of the day that had
-- a bid. DATE_FORMAT(date_time, 'HH:mm') is substr(CAST(date_time AS VARCHAR), 12, 5); FILTER is written with CASE as in q15.
CREATE TABLE q16 WITH (consolidate='batch') AS SELECT channel, CAST(date_time AS DATE) AS day,
  max(substr(CAST(date_time AS VARCHAR), 12, 5)) AS minute,
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
FROM bid GROUP BY channel, CAST(date_time AS DATE);
