import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_SIGNATURE_HEADER } from '@taskyard/contracts';
import { publishEvent } from '@taskyard/messaging';
import type { CallbackDeliveryRecord } from '@taskyard/tasks';
import { waitFor } from '@taskyard/testing';
import { verifyCallback } from '../src/callback-signature';
import { startHarness, TEST_CALLBACK_SECRET, type Harness } from './lifecycle-harness';

// A receiver on loopback: reachable only because this deployment's admin allowed 127.0.0.1 (not "localhost").
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
let flakyCalls = 0;
let releaseSlow: () => void = () => undefined;
let slowOpen = false;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  received.push({ path: req.url ?? '', headers: req.headers, body });
  if (req.url === '/redirect') return void res.writeHead(302, { location: '/landing' }).end();
  if (req.url === '/flaky') return void res.writeHead(++flakyCalls === 1 ? 500 : 204).end();
  if (req.url === '/slow') {
    slowOpen = true;
    res.on('close', () => (slowOpen = false));
    releaseSlow = () => {
      if (!res.headersSent) res.writeHead(200).end();
    };
    return;
  }
  res.writeHead(200).end('ok');
}

let server: Server;
let base: string;
let h: Harness;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => route(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  h = await startHarness('callbacks', {}, { partitions: 1, status: { callbackAllowedHosts: ['127.0.0.1'], callbackBackoffMs: [1000], callbackTimeoutMs: 5000 } });
});
afterAll(async () => {
  releaseSlow();
  await h?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

/** A queued task with a callback URL, cancelled: its terminal status is what the callback carries. */
async function cancelledWithCallback(url: string): Promise<string> {
  const id = await h.submit('diagnostic', {});
  await h.models.Task.collection.updateOne({ _id: id } as never, { $set: { callbackUrl: url } });
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: id, type: 'diagnostic', requestedBy: 'owner-1' });
  return id;
}

const delivery = (id: string, states: string[]): Promise<CallbackDeliveryRecord> =>
  waitFor(`the callback of ${id} to be ${states.join('|')}`, async () => {
    const d = (await h.models.CallbackDelivery.findById(id).lean()) as CallbackDeliveryRecord | null;
    return d && states.includes(d.state) ? d : undefined;
  }, { timeoutMs: 10_000 });

test('a callback is signed with the deployment secret over a timestamp and the body; its attempt is recorded', async () => {
  const id = await cancelledWithCallback(`${base}/hook?token=abc`);
  const d = await delivery(id, ['delivered']);
  expect(d.origin).toBe(base);
  expect(d.attempts).toEqual([expect.objectContaining({ status: 200 })]);
  const got = received.find((r) => JSON.parse(r.body).id === id)!;
  expect(JSON.parse(got.body)).toMatchObject({ id, type: 'diagnostic', status: 'cancelled' });
  const signature = String(got.headers[CALLBACK_SIGNATURE_HEADER]);
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifyCallback(TEST_CALLBACK_SECRET, signature, got.body)).toBe(true);
  expect(verifyCallback('taskyard', signature, got.body)).toBe(false);
});

test.each([
  ['a loopback name', () => `${base.replace('127.0.0.1', 'localhost')}/hook`],
  ['a private address', () => 'http://10.0.0.1/hook'],
  ['the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
  ['credentials in the URL', () => `${base.replace('http://', 'http://user:pw@')}/hook`],
])('%s is refused for good, and nothing is sent', async (_label, url) => {
  const before = received.length;
  const id = await cancelledWithCallback(url());
  const d = await delivery(id, ['failed']);
  expect(d.attempts).toHaveLength(1);
  expect(d.attempts[0].error).toMatch(/^refused: /);
  expect(received.length).toBe(before);
});

test('a redirect is not followed', async () => {
  const id = await cancelledWithCallback(`${base}/redirect`);
  const d = await delivery(id, ['failed']);
  expect(d.attempts).toEqual([expect.objectContaining({ status: 302, error: expect.stringContaining('not followed') })]);
  expect(received.some((r) => r.path === '/landing')).toBe(false);
});

test('a failed delivery is retried after its back-off, each attempt visible', async () => {
  const id = await cancelledWithCallback(`${base}/flaky`);
  const d = await delivery(id, ['delivered']);
  expect(d.attempts.map((a) => a.status)).toEqual([500, 204]);
});

test("a receiver that does not answer delays no other task's status", async () => {
  const slow = await cancelledWithCallback(`${base}/slow`);
  await waitFor('the slow receiver to be called', () => slowOpen);
  // One status partition here: before, this fold waited behind the slow POST.
  const other = await h.submit('diagnostic', {});
  await publishEvent(h.publisher, { kind: 'cancel-requested', taskId: other, type: 'diagnostic', requestedBy: 'owner-1' });
  await h.waitForStatus(other, ['cancelled'], 10_000);
  expect(slowOpen).toBe(true);
  releaseSlow();
  await delivery(slow, ['delivered']);
});
