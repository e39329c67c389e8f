-- Nexmark q17: auction statistics per day: per (auction, day) the bid count, counts per price rank, min, max, avg and
-- sum of the price. DATE_FORMAT(date_time, 'yyyy-MM-dd') is CAST(date_time AS DATE); FILTER is written with CASE as in q15.
-- avg(bigint) is numeric and sum(bigint) numeric, as in PostgreSQL.
CREATE TABLE q17 WITH (consolidate='batch') AS SELECT auction, CAST(date_time AS DATE) AS day,
  count(*) AS total_bids,
  count(CASE WHEN price < 10000 THEN 1 END) AS rank1_bids,
  count(CASE WHEN price >= 10000 AND price < 1000000 THEN 1 END) AS rank2_bids,
  count(CASE WHEN price >= 1000000 THEN 1 END) AS rank3_bids,
  min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid GROUP BY auction, CAST(date_time AS DATE);
