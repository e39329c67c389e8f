-- Nexmark q8: monitor new users. The persons who registered and opened an auction in the same 10-second tumbling
-- window. The reference joins two windowed aggregations on (id, window start, window end). Here a table's primary key
-- is one column to take part in a table-table join, so both aggregations group by one text key, id '@' window start
-- (the window start written as date_trunc('minute', t) + floor(second / 10) * 10 s, i.e. TUMBLE 10 s aligned to the
-- epoch), and the two tables are joined on it. The result is the reference's (id, name, starttime) plus that key.
-- The key starts with the stream's key column (person id, auction seller) and a separator, so with several partitions
-- each group's rows are already in one partition: no repartition stage (SourceKeyRouting).
CREATE TABLE q8_persons WITH (consolidate='batch') AS
  SELECT CAST(id AS VARCHAR) || '@' || CAST(date_trunc('minute', date_time) + floor(extract(second FROM date_time) / 10) * INTERVAL '10' SECOND AS VARCHAR) AS k,
    max(id) AS id, max(name) AS name, max(date_trunc('minute', date_time) + floor(extract(second FROM date_time) / 10) * INTERVAL '10' SECOND) AS starttime
  FROM person
  GROUP BY CAST(id AS VARCHAR) || '@' || CAST(date_trunc('minute', date_time) + floor(extract(second FROM date_time) / 10) * INTERVAL '10' SECOND AS VARCHAR);
CREATE TABLE q8_sellers WITH (consolidate='batch') AS
  SELECT CAST(seller AS VARCHAR) || '@' || CAST(date_trunc('minute', date_time) + floor(extract(second FROM date_time) / 10) * INTERVAL '10' SECOND AS VARCHAR) AS k,
    count(*) AS auctions
  FROM auction
  GROUP BY CAST(seller AS VARCHAR) || '@' || CAST(date_trunc('minute', date_time) + floor(extract(second FROM date_time) / 10) * INTERVAL '10' SECOND AS VARCHAR);
CREATE TABLE q8 AS SELECT p.k, p.id, p.name, p.starttime FROM q8_persons p JOIN q8_sellers s ON p.k = s.k;
