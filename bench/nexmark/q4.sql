-- Nexmark q4: average closing price per category. The reference joins each auction with its bids between its start
-- and its expiry, takes the highest per auction and averages those per category. Here the auctions first become a
-- table keyed by id, and FLUSH waits until it holds all of them; the bids are then joined to it (a stream-table join,
-- which looks the auction up as of processing time: the FLUSH makes the result deterministic, as if every auction were
-- known before its bids are processed, which the event times also say: an auction precedes its bids). The highest
-- price per auction is an aggregation over that join, and the average per category one over that table (retracting:
-- a new maximum replaces the old one in the average). Like the reference, open auctions count with their highest bid
-- so far.
CREATE TABLE q4_auctions WITH (consolidate='batch') AS SELECT id, latest_by_offset(category) AS category, latest_by_offset(date_time) AS starts, latest_by_offset(expires) AS expires
  FROM auction GROUP BY id;
FLUSH;
CREATE TABLE q4_final WITH (consolidate='batch') AS SELECT a.id, a.category, max(b.price) AS final
  FROM bid b JOIN q4_auctions a ON b.auction = a.id
  WHERE b.date_time BETWEEN a.starts AND a.expires
  GROUP BY a.id, a.category;
CREATE TABLE q4 WITH (consolidate='batch') AS SELECT category, avg(final) AS avg_final FROM q4_final GROUP BY category;
