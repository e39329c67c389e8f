-- Nexmark q2: selection of the bids of every 123rd auction (Flink's variant of the filter).
SELECT auction, price FROM bid WHERE auction % 123 = 0
