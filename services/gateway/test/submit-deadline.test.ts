import { Agent, request } from 'node:http';
import { jobTypes } from '@taskyard/contracts';
import { startHarness, keyOf, type Harness } from './gateway-harness';

// Issue 19: a database deadline answers 503 with Retry-After, never 500, also with 1,000 submits at once.
// The gateway's database deadline is 1 ms here, so under this burst the reads and writes of the submit
// path that carry a deadline run past it.
let h: Harness;
beforeAll(async () => {
  // No unfinished limit: every refusal here is the deadline's, not the owner's quota.
  h = await startHarness('gw-deadline', { dbTimeoutMs: 1, jobTypes: jobTypes({ enableDiagnostic: true, limitOverrides: { diagnostic: { unfinishedPerOwner: 0 } } }) });
});
afterAll(() => h?.close());

interface Answer {
  status: number;
  retryAfter?: string;
  code?: string;
}

/** One submit over its own connection (1,000 open at once), the status, Retry-After and error code read back. */
function submit(agent: Agent, url: URL, body: string, key?: string): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${keyOf('alice')}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (key) headers['idempotency-key'] = key;
    const req = request({ agent, method: 'POST', host: url.hostname, port: url.port, path: '/v1/tasks', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const code = (res.statusCode ?? 0) < 300 ? undefined : (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, code });
      });
    });
    req.on('error', (err) => resolve({ status: 0, code: err.message }));
    req.end(body);
  });
}

test('1,000 submits at once past the database deadline: each is stored (202) or refused with 503 and Retry-After, none 500', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1000 });
  const url = new URL(h.gateway.url);
  const body = JSON.stringify({ type: 'diagnostic', params: {} });
  // Half with an Idempotency-Key (its lookup is a read with the deadline), half without; 20 keys sent twice.
  const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => submit(agent, url, body, i % 2 ? `key-${i % 40}` : undefined)));
  agent.destroy();
  // 200: a repeated key answered with its first task. No reset connection (status 0), no 500.
  const unexpected: Record<string, number> = {};
  for (const a of answers.filter((a) => ![200, 202, 503].includes(a.status))) unexpected[`${a.status} ${a.code}`] = (unexpected[`${a.status} ${a.code}`] ?? 0) + 1;
  expect(unexpected).toEqual({});
  // The deadline was met at least once, or this test shows nothing.
  expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
  for (const a of answers.filter((a) => a.status === 503)) {
    expect(a.code).toBe('database-unavailable');
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }
}, 120_000);
