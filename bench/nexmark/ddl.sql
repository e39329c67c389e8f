-- The Nexmark sources the queries read (RisingWave's snake_case names). The benchmark replaces ${EVENTS} and ${SEED}.
-- events counts the whole timeline (persons, auctions and bids, 1:3:46); each stream gets the events of its table.
CREATE STREAM person (id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR)
  WITH (connector='nexmark', nexmark_table='person', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
CREATE STREAM auction (id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR)
  WITH (connector='nexmark', nexmark_table='auction', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR)
  WITH (connector='nexmark', nexmark_table='bid', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
