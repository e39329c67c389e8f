-- Nexmark q0: pass-through of bids (source and framework overhead).
SELECT auction, bidder, price, date_time, extra FROM bid
