-- Nexmark q3: local item suggestion. Auctions of category 10 joined with their sellers living in OR, ID or CA.
-- The reference is an unbounded inner join of two streams; this dialect joins streams WITHIN a time window, so the
-- window is one year on both sides (a seller may even register after the auction: the generator draws sellers up to
-- 10 person ids ahead), which covers every run of the benchmark: the result is the unbounded join's. The planner does
-- not push a WHERE below a stream join yet, and the join buffers whole rows per key, so the filters and projections
-- are written as two persistent streams first (each keeps its rows' event time); the join reads those. The output is a
-- persistent stream (CREATE STREAM AS SELECT); the benchmark reads all of it.
CREATE STREAM q3_auction AS SELECT id, seller FROM auction WHERE category = 10;
CREATE STREAM q3_person AS SELECT id, name, city, state FROM person WHERE state = 'OR' OR state = 'ID' OR state = 'CA';
CREATE STREAM q3 AS SELECT p.name, p.city, p.state, a.id
  FROM q3_auction a JOIN q3_person p WITHIN 365 DAYS ON a.seller = p.id;
