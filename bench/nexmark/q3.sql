-- Nexmark q3: local item suggestion. Auctions of category 10 joined with their sellers living in OR, ID or CA.
-- The reference is an unbounded inner join of two streams; this dialect joins streams WITHIN a time window, so the
-- window is one year on both sides (a seller may even register after the auction: the generator draws sellers up to
-- 10 person ids ahead), which covers every run of the benchmark: the result is the unbounded join's. The planner
-- applies each side's WHERE conditions inside the join (a row that fails them is not buffered) and has the join keep
-- only the columns the query reads. The output is a persistent stream (CREATE STREAM AS SELECT); the benchmark reads
-- all of it.
CREATE STREAM q3 AS SELECT p.name, p.city, p.state, a.id
  FROM auction a JOIN person p WITHIN 365 DAYS ON a.seller = p.id
  WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA');
