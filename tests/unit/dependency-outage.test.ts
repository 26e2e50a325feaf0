import { createServer } from 'node:net';
import { Pool } from 'pg';
import { dependencyOutage } from '../../api/errors';
import { loadOperationsConfig } from '../../lib/operations-config';

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('dependencyOutage', () => {
  it('names PostgreSQL for a refused connection, as pg reports it', async () => {
    const pool = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/x` });
    const err = await pool.query('select 1').catch((e: unknown) => e);
    await pool.end();
    expect(dependencyOutage(err)).toMatchObject({ status: 503, dependency: 'postgresql' });
  });

  it.each([
    ['admin shutdown', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['starting up', { code: '57P03', message: 'the database system is starting up' }],
    ['connection failure class 08', { code: '08006', message: 'connection failure' }],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a cut connection', new Error('Connection terminated unexpectedly')],
  ])('names PostgreSQL for %s', (_what, err) => {
    expect(dependencyOutage(err)?.dependency).toBe('postgresql');
  });

  it.each([
    ['UNAVAILABLE', 14],
    ['DEADLINE_EXCEEDED', 4],
  ])('names Temporal for gRPC %s, also behind a cause', (_what, code) => {
    const grpc = Object.assign(new Error('grpc'), { code, details: 'x', metadata: {} });
    const wrapped = new Error('Failed to start Workflow', { cause: grpc });
    expect(dependencyOutage(wrapped)?.dependency).toBe('temporal');
  });

  it('leaves other failures alone: a constraint violation, a gRPC NOT_FOUND, a plain error', () => {
    expect(dependencyOutage({ code: '23505', message: 'duplicate key' })).toBeNull();
    expect(dependencyOutage(Object.assign(new Error('nf'), { code: 5, details: 'x' }))).toBeNull();
    expect(dependencyOutage(new Error('boom'))).toBeNull();
  });
});

describe('loadOperationsConfig', () => {
  it('sizes worker concurrency to the pool and the CPUs by default', () => {
    const c = loadOperationsConfig({}, 2);
    expect(c.dbPoolMax).toBe(10);
    expect(c.worker.maxConcurrentActivityTaskExecutions + c.worker.maxConcurrentLocalActivityExecutions).toBe(10);
    expect(c.worker.maxConcurrentWorkflowTaskExecutions).toBe(4);
    expect(c.worker.maxCachedWorkflows).toBe(50);
  });

  it('follows a bigger pool and explicit settings', () => {
    const c = loadOperationsConfig({ DB_POOL_MAX: '40', WORKER_MAX_CACHED_WORKFLOWS: '3' }, 8);
    expect(c.worker.maxConcurrentLocalActivityExecutions).toBe(2);
    expect(c.worker.maxConcurrentActivityTaskExecutions).toBe(38);
    expect(c.worker.maxConcurrentWorkflowTaskExecutions).toBe(3); // never above the cache
  });

  it('refuses nonsense with the variable name', () => {
    expect(() => loadOperationsConfig({ DB_POOL_MAX: 'zero' })).toThrow(/DB_POOL_MAX/);
  });
});
