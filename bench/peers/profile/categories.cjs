// node categories.cjs <file.cpuprofile>: busy samples split by the deepest frame matching a category (an exclusive split)
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const CATS = [
  ['gc', (f) => f.functionName === '(garbage collector)'],
  ['profiler', (f) => f.url.includes('cpu-profile.cjs')],
  ['pino/logging', (f) => /node_modules\/.*pino|libs\/logging/.test(f.url)],
  ['prom-client', (f) => /prom-client/.test(f.url)],
  ['amqplib', (f) => /amqplib/.test(f.url)],
  ['mongo driver+bson', (f) => /node_modules\/.*(mongodb|bson)\//.test(f.url)],
  ['mongoose', (f) => /mongoose/.test(f.url)],
  ['ajv/validation', (f) => /ajv|fastify\/lib\/validation/.test(f.url)],
  ['json parse', (f) => /secure-json-parse|content-type-parser/.test(f.url)],
  ['serialize', (f) => /fast-json-stringify|serializer/.test(f.url)],
  ['security-headers', (f) => /security-headers/.test(f.url)],
  ['auth', (f) => /auth\.ts|api-keys|managed-keys/.test(f.url)],
  ['list marks/keys', (f) => /list-marks|list-keys|list-heads/.test(f.url)],
  ['outbox', (f) => /outbox/.test(f.url)],
  ['insert-batcher', (f) => /insert-batcher/.test(f.url)],
  ['new-task', (f) => /new-task|task-record/.test(f.url)],
  ['messaging lib', (f) => /libs\/messaging/.test(f.url)],
  ['worker lib', (f) => /libs\/worker/.test(f.url)],
  ['status svc', (f) => /services\/status/.test(f.url)],
  ['tasks lib (other)', (f) => /libs\/tasks/.test(f.url)],
  ['gateway (other)', (f) => /services\/gateway/.test(f.url)],
  ['http response write', (f) => /writePayload|onSendEnd|_http_outgoing/.test(f.url + ' ' + f.functionName)],
  ['fastify (other)', (f) => /fastify|find-my-way|avvio|light-my-request/.test(f.url)],
  ['http server/parse', (f) => /_http_server|_http_common|_http_incoming/.test(f.url)],
  ['undici/fetch', (f) => /undici/.test(f.url)],
  ['bench', (f) => /\/bench\//.test(f.url)],
  ['socket/net', (f) => /node:net|stream_base_commons/.test(f.url)],
];
const sums = new Map(); let busy = 0;
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i + 1] ?? 0));
for (const [id, t] of self) {
  if (byId.get(id).callFrame.functionName === '(idle)') continue;
  busy += t;
  let cat = 'other';
  outer: for (let x = id; x !== undefined; x = parent.get(x)) {
    const f = byId.get(x).callFrame;
    for (const [c, m] of CATS) if (m(f)) { cat = c; break outer; }
  }
  sums.set(cat, (sums.get(cat) || 0) + t);
}
console.log(`${process.argv[2]} busy ${(busy / 1e6).toFixed(2)} s`);
for (const [c, t] of [...sums].sort((a, b) => b[1] - a[1])) console.log(`${(100 * t / busy).toFixed(1).padStart(5)}%  ${c}`);
