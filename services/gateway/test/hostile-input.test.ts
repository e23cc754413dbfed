import { connect } from 'node:net';
import { startHarness, type ApiAnswer, type Harness } from './gateway-harness';

/** Issue 12, defects 5-7: hostile input gets a 400-class answer in the error format, never a 500. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness('gw-hostile-input');
});
afterAll(() => h?.close());

const NUL = '\u0000';

function expectError(res: ApiAnswer, status: number, code: string, names?: string): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error?.message).toBe('string');
  if (names) expect(res.body.error?.message).toContain(names);
}

/** Sends raw bytes and reads the raw answer: status line, headers and body. */
function rawRequest(text: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
  });
}

describe('U+0000 anywhere a user gives a string is a 400 naming the field (defect 5)', () => {
  const submit = (json: unknown) => h.api('POST', '/v1/tasks', { as: 'alice', json });

  test('in the title, the tag, a params value and a params key', async () => {
    expectError(await submit({ type: 'diagnostic', title: `a${NUL}b`, params: {} }), 400, 'invalid-params', 'body/title');
    expectError(await submit({ type: 'diagnostic', tag: `t${NUL}`, params: {} }), 400, 'invalid-params', 'body/tag');
    expectError(await submit({ type: 'spelling-report', params: { scope: 'school', schoolId: `s${NUL}1`, from: '2025-01-01', to: '2025-02-01' } }), 400, 'invalid-params', 'body/params/schoolId');
    expectError(await submit({ type: 'diagnostic', params: { [`k${NUL}`]: 1 } }), 400, 'invalid-params', 'body/params');
  });

  test('in a multipart field', async () => {
    const form = new FormData();
    form.set('type', 'diagnostic');
    form.set('title', `x${NUL}y`);
    expectError(await h.api('POST', '/v1/tasks', { as: 'alice', body: form }), 400, 'invalid-params', 'title');
  });

  test('in the list filters and in the task id of the path', async () => {
    for (const filter of ['type', 'tag', 'owner']) {
      expectError(await h.api('GET', `/v1/tasks?${filter}=a%00b`, { as: 'admin' }), 400, 'invalid-request', `querystring/${filter}`);
    }
    for (const path of ['/v1/tasks/a%00b', '/v1/tasks/a%00b/logs', '/v1/tasks/a%00b/events', '/v1/admin/dead-letters/a%00b']) {
      expectError(await h.api('GET', path, { as: 'admin' }), 400, 'invalid-request', 'params/');
    }
    expectError(await h.api('POST', '/v1/tasks/a%00b/cancel', { as: 'alice' }), 400, 'invalid-request', 'params/id');
  });
});

describe('impossible input is a 400, not a 500 (defect 6)', () => {
  test('a cursor that decodes to an impossible date or a hostile id', async () => {
    for (const position of [[9e15, 'zzzz'], [-9e15, 'a'], [1, `a${NUL}`], [1, 'x'.repeat(1000)]]) {
      const cursor = Buffer.from(JSON.stringify(position)).toString('base64url');
      expectError(await h.api('GET', `/v1/tasks?cursor=${cursor}`, { as: 'alice' }), 400, 'invalid-request', 'cursor');
    }
  });

  test('multipart/form-data without a boundary', async () => {
    const res = await h.api('POST', '/v1/tasks', { as: 'alice', body: 'type=diagnostic', headers: { 'content-type': 'multipart/form-data' } });
    expectError(res, 400, 'invalid-request', 'boundary');
  });
});

describe("the framework's own refusals are in the error format (defect 7)", () => {
  test('a path parameter over 100 characters is 414', async () => {
    expectError(await h.api('GET', `/v1/tasks/${'a'.repeat(101)}`, { as: 'alice' }), 414, 'uri-too-long');
  });

  test('a URL with a bad percent-encoding is 400', async () => {
    expectError(await h.api('GET', '/v1/tasks/%ZZ', { as: 'alice' }), 400, 'invalid-request', 'URL');
  });

  test('headers over 16 KB are 431, and bytes that are not HTTP a 400', async () => {
    const big = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big.status).toBe(431);
    expect(JSON.parse(big.body)).toEqual({ error: { code: 'headers-too-large', message: expect.any(String) } });
    const junk = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
    expect(junk.status).toBe(400);
    expect(JSON.parse(junk.body)).toEqual({ error: { code: 'invalid-request', message: expect.any(String) } });
  });
});
