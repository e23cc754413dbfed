import type { AddressInfo } from 'node:net';
import { startHealthServer } from '@taskyard/worker';
import { StatusMetrics } from './status-metrics';

test('/metrics?name= answers that metric alone (a poller reads one counter, not the whole scrape)', async () => {
  const metrics = new StatusMetrics();
  metrics.finished.inc({ type: 'diagnostic', status: 'succeeded' }, 3);
  const health = await startHealthServer({ port: 0, metrics: (name) => metrics.text(name) });
  try {
    const base = `http://127.0.0.1:${(health.server!.address() as AddressInfo).port}`;
    const one = await (await fetch(`${base}/metrics?name=taskyard_tasks_finished_total`)).text();
    expect(one).toContain('taskyard_tasks_finished_total{type="diagnostic",status="succeeded"} 3');
    expect(one).not.toContain('taskyard_status_events_total');
    expect(await (await fetch(`${base}/metrics?name=no_such_metric`)).text()).toBe('');
    const all = await (await fetch(`${base}/metrics`)).text();
    expect(all).toContain('taskyard_status_events_total');
    expect(all).toContain('taskyard_tasks_finished_total{type="diagnostic",status="succeeded"} 3');
  } finally {
    await health.close();
  }
});
