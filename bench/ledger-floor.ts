import http from 'node:http';
import { Pool } from 'pg';

/**
 * The ledger bench's HTTP floor, a process of its own: node:http and one pg pool, serving the raw
 * reference's own prepared statements as JSON, with nothing else: no framework, token, validation,
 * query builder or presenter. `GET /<case index>` answers that page's first 25 rows. What it costs
 * over the raw query is what any HTTP API pays on this machine before doing its own work.
 * LEDGER_FLOOR_CASES: JSON array of { name, text, values }; PORT; DATABASE_URL.
 */

interface Case {
  name: string;
  text: string;
  values: unknown[];
}

const cases = JSON.parse(process.env.LEDGER_FLOOR_CASES ?? '[]') as Case[];
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

const server = http.createServer((req, res) => {
  const page = cases[Number((req.url ?? '').slice(1))];
  if (!page) {
    res.writeHead(404).end();
    return;
  }
  pool.query({ name: `floor-${page.name}`, text: page.text, values: page.values }).then(
    (result) => {
      const body = JSON.stringify({ items: result.rows.slice(0, 25) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    (err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    },
  );
});

server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write('ledger floor listening\n');
});
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
  server.closeAllConnections();
});
