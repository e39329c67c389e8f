-- Nexmark q14: projection with a CASE on the hour of the bid and a character count (RisingWave's count_char(extra, 'c')
-- written as length(extra) - length(replace(extra, 'c', ''))), filtered on the converted price.
SELECT auction, bidder, 0.908 * price AS price,
  CASE WHEN extract(hour FROM date_time) >= 8 AND extract(hour FROM date_time) <= 18 THEN 'dayTime'
       WHEN extract(hour FROM date_time) <= 6 OR extract(hour FROM date_time) >= 20 THEN 'nightTime'
       ELSE 'otherTime' END AS bid_time_type,
  date_time, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000
