-- Nexmark q21: a channel id from the channel name, or else from the URL's channel_id parameter (RisingWave's
-- (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2] written with split_part: generated URLs carry at most one
-- channel_id, last).
SELECT auction, bidder, price, channel,
  CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
       WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
       ELSE NULLIF(split_part(url, '&channel_id=', 2), '') END AS channel_id
FROM bid WHERE NULLIF(split_part(url, '&channel_id=', 2), '') IS NOT NULL OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')
