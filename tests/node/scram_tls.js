// node-postgres logging in with SCRAM-SHA-256 over TLS (self-signed certificate accepted), then a query with a parameter.
// Prints one JSON object; TlsTests.cs checks it. Exits 1 on an unexpected failure.
'use strict';
const { Client } = require('pg');

async function attempt(password) {
  const client = new Client({
    host: '127.0.0.1',
    port: Number(process.env.STREAMSQL_PG_PORT),
    user: 'alice',
    password,
    database: 'streamsql',
    ssl: { rejectUnauthorized: false },
  });
  try {
    await client.connect();
    const result = await client.query('SELECT $1::int + 1 AS answer', [41]);
    return { answer: result.rows[0].answer, encrypted: client.connection.stream.encrypted === true };
  } catch (e) {
    return { code: e.code, message: e.message };
  } finally {
    await client.end().catch(() => {});
  }
}

async function main() {
  const seen = { right: await attempt(process.argv[2]), wrong: await attempt('not-' + process.argv[2]) };
  process.stdout.write(JSON.stringify(seen) + '\n');
}

main().catch(e => {
  process.stderr.write((e && e.stack) || String(e));
  process.exit(1);
});
