// node-postgres (pg) against StreamSql: connect, DDL, INSERT with parameters, SELECT with parameters,
// a push query with LIMIT, a prepared statement, a transaction block and an error with its SQLSTATE.
// Prints one JSON object with what it saw; NodePostgresTests.cs checks it. Exits 1 on an unexpected failure.
'use strict';
const { Client } = require('pg');

async function main() {
  const stream = process.argv[2];
  const client = new Client({
    host: '127.0.0.1',
    port: Number(process.env.STREAMSQL_PG_PORT),
    user: 'streamsql',
    database: 'streamsql',
    application_name: 'node-test',
  });
  await client.connect();
  const seen = {};
  try {
    seen.create = (await client.query(
      `CREATE STREAM ${stream} (id BIGINT KEY, name VARCHAR, score DOUBLE, active BOOLEAN, n INT, at TIMESTAMP) WITH (partitions=2)`)).command;

    const insert = `INSERT INTO ${stream} (id, name, score, active, n, at) VALUES ($1, $2, $3, $4, $5, $6)`;
    seen.inserted = 0;
    seen.inserted += (await client.query(insert, [1, 'ada', 9.5, true, 7, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))])).rowCount;
    seen.inserted += (await client.query(insert, ['2', "o'brien", '-1.25', 'false', null, '2026-01-02 03:04:05'])).rowCount;
    seen.inserted += (await client.query({ name: 'ins', text: insert, values: [3, 'zed', 0, false, -3, null] })).rowCount;
    seen.inserted += (await client.query({ name: 'ins', text: insert, values: [4, 'ünï', 1e10, true, 2147483647, null] })).rowCount;

    const byId = await client.query(`SELECT id, name, score, active, n, at FROM ${stream} WHERE id = $1`, [1]);
    const row = byId.rows[0];
    seen.byId = { id: row.id, name: row.name, score: row.score, active: row.active, n: row.n, at: row.at.toISOString() };
    seen.types = byId.fields.map(f => f.dataTypeID);

    const filtered = await client.query(`SELECT name FROM ${stream} WHERE score > $1 AND name LIKE $2`, [0, '%']);
    seen.filtered = filtered.rows.map(r => r.name).sort();

    const push = await client.query(`SELECT id, upper(name) AS name FROM ${stream} EMIT CHANGES LIMIT 4`);
    seen.push = push.rows.map(r => `${r.id}:${r.name}`).sort();

    await client.query('BEGIN');
    seen.inBlock = (await client.query(`SELECT name FROM ${stream} WHERE n = $1`, [-3])).rows.map(r => r.name);
    await client.query('COMMIT');

    try {
      await client.query('SELECT * FROM no_such_stream_node WHERE id = $1', [1]);
      seen.error = 'none';
    } catch (e) {
      seen.error = { code: e.code, message: e.message, position: e.position };
    }

    seen.afterError = (await client.query('SHOW application_name')).rows[0].application_name;
  } finally {
    await client.end();
  }

  process.stdout.write(JSON.stringify(seen) + '\n');
}

main().catch(e => {
  process.stderr.write((e && e.stack) || String(e));
  process.exit(1);
});
