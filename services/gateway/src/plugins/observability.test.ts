import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { GatewayMetrics } from '../metrics';
import { observabilityPlugin } from './observability';

// One line per request: an answer of 400 or more at info, the others at debug; every request in the histogram.
async function linesAt(level: string): Promise<{ lines: { level: number; status: number; url: string }[]; observed: number }> {
  const lines: { level: number; status: number; url: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as { msg?: string; level: number; status: number; url: string };
      if (line.msg === 'request answered') lines.push({ level: line.level, status: line.status, url: line.url });
      done();
    },
  });
  const metrics = new GatewayMetrics();
  const app = Fastify({ logger: { level, stream: sink } });
  await app.register(observabilityPlugin, { metrics });
  app.get('/ok', async () => ({ ok: true }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  await (await fetch(`${base}/ok`)).text();
  await (await fetch(`${base}/missing?access_token=secret`)).text();
  await app.close();
  const text = await metrics.registry.getSingleMetricAsString('taskyard_gateway_http_request_duration_seconds');
  const observed = [...text.matchAll(/_count\{[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  return { lines, observed };
}

test('at info, only the answer of 400 or more is logged (its token redacted); at debug both; at warn none; all are observed', async () => {
  const info = await linesAt('info');
  expect(info.lines).toEqual([{ level: 30, status: 404, url: '/missing?access_token=[redacted]' }]);
  expect(info.observed).toBe(2);
  expect((await linesAt('debug')).lines.map((l) => [l.level, l.status])).toEqual([[20, 200], [30, 404]]);
  const warn = await linesAt('warn');
  expect(warn.lines).toEqual([]);
  expect(warn.observed).toBe(2);
});
