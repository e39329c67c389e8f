-- Nexmark q18: the last bid of each (bidder, auction). The reference keeps ROW_NUMBER() OVER (PARTITION BY bidder,
-- auction ORDER BY date_time DESC) = 1; this dialect has no ROW_NUMBER, so the same top-1 is an aggregation that keeps
-- each column of the group's latest record (latest_by_offset). The bids are in event-time order in their partition, so
-- the latest record is the latest bid; among bids of the same millisecond the later one in the stream wins (the
-- reference leaves that tie open).
CREATE TABLE q18 WITH (consolidate='batch') AS SELECT auction, bidder, latest_by_offset(price) AS price, latest_by_offset(channel) AS channel,
    latest_by_offset(url) AS url, latest_by_offset(date_time) AS date_time, latest_by_offset(extra) AS extra
  FROM bid GROUP BY auction, bidder;
