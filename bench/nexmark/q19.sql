-- Nexmark q19: the top 10 bids of each auction by price. As the reference (ROW_NUMBER() OVER (PARTITION BY auction ORDER BY
-- price DESC) AS rank_number, filtered by rank_number <= 10, with every bid column); the subquery needs an alias here.
-- Bids of equal price rank in arrival order (the earlier bid first; the reference leaves that tie open). The result is
-- keyed by (auction, rank_number): a new bid entering at rank r updates ranks r..10.
CREATE TABLE q19 AS SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid) t
  WHERE rank_number <= 10;
