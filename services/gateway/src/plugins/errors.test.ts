import Fastify from 'fastify';
import { mongo } from 'mongoose';
import { errorsPlugin } from './errors';

// A query past its deadline means the database is overloaded, not that the request is wrong or the
// gateway broken: the client gets a 503 with Retry-After, never a 500.
async function answerTo(err: Error): Promise<{ status: number; retryAfter?: string; body: unknown }> {
  const app = Fastify();
  await app.register(errorsPlugin);
  app.get('/boom', async () => {
    throw err;
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const res = await fetch(`${base}/boom`);
    return { status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined, body: await res.json() };
  } finally {
    await app.close();
  }
}

test('a query past its maxTimeMS answers 503 with Retry-After', async () => {
  const err = new mongo.MongoServerError({ code: 50, codeName: 'MaxTimeMSExpired', errmsg: 'operation exceeded time limit' });
  expect(await answerTo(err)).toEqual({
    status: 503,
    retryAfter: '2',
    body: { error: { code: 'database-unavailable', message: 'the database did not answer in time; try again shortly' } },
  });
});

test("FerretDB's deadline message alone is recognised too", async () => {
  const err = new mongo.MongoServerError({ errmsg: 'operation exceeded time limit' });
  expect((await answerTo(err)).status).toBe(503);
});

test('an unreachable database answers 503 with Retry-After', async () => {
  const err = new mongo.MongoServerSelectionError('connect ECONNREFUSED', { type: 'Unknown', servers: new Map() } as never);
  expect(await answerTo(err)).toMatchObject({ status: 503, retryAfter: '2' });
});

test("FerretDB's InternalError for a PostgreSQL that is away (killed, restarting) answers 503 with Retry-After", async () => {
  const ended = '[query_iterator.go:92 postgresql.(*queryIterator).Next] FATAL: terminating connection due to unexpected postmaster exit (SQLSTATE 57P01)';
  const refused = '[collection.go:109 postgresql.(*collection).Query] failed to connect to `user=taskyard database=taskyard`: dial tcp 127.0.0.1:32997: connect: connection refused';
  for (const errmsg of [ended, refused]) {
    expect(await answerTo(new mongo.MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg }))).toMatchObject({ status: 503, retryAfter: '2' });
  }
  // Another InternalError (a bug, a constraint) stays a 500.
  expect((await answerTo(new mongo.MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg: 'ERROR: invalid input syntax (SQLSTATE 22P02)' }))).status).toBe(500);
});

test('any other database error stays a 500 without details', async () => {
  const err = new mongo.MongoServerError({ code: 2, errmsg: 'bad value' });
  expect(await answerTo(err)).toEqual({ status: 500, retryAfter: undefined, body: { error: { code: 'internal', message: 'internal error' } } });
});
