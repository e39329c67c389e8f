-- The Nexmark sources the queries read (RisingWave's snake_case names). The benchmark replaces ${EVENTS} and ${SEED}.
-- events counts the whole timeline (persons, auctions and bids, 1:3:46); each stream gets the events of its table.
-- Keyed as a Kafka producer of these events would key them (persons by id, auctions by seller, bids by auction), so
-- with several partitions the aggregations and joins on those keys need no repartition. The watermark is the reference
-- setup's (Flink's Nexmark DDL): windows over these streams close 4 s after they end (the generator is in order).
CREATE STREAM person (id BIGINT KEY, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector='nexmark', nexmark_table='person', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
CREATE STREAM auction (id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT KEY, category BIGINT, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector='nexmark', nexmark_table='auction', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
CREATE STREAM bid (auction BIGINT KEY, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector='nexmark', nexmark_table='bid', events=${EVENTS}, seed=${SEED}, timestamp='date_time', partitions=1);
