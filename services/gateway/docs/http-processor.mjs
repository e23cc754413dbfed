// A processor of an external job type (seed 000's "request processor"), Node.js 20, no packages:
//   GATEWAY=http://127.0.0.1:8080 KEY=<processor key> TYPE=upf-report node http-processor.mjs
const { GATEWAY, KEY, TYPE } = process.env;
const BEAT_MS = Number(process.env.HEARTBEAT_MS ?? 10_000); // well within the type's lease (limits.leaseMs)
const api = async (method, path, body) => {
  const headers = { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(GATEWAY + path, { method, headers, body: body && JSON.stringify(body) });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
};
for (;;) {
  const claim = await api('POST', `/v1/job-types/${TYPE}/claim?processor=example`); // 204: nothing waiting
  if (!claim) { await new Promise((r) => setTimeout(r, 1000)); continue; }
  const { leaseId, task } = claim;
  const beat = setInterval(() => api('POST', `/v1/tasks/${task.id}/heartbeat`, { leaseId }).catch(() => {}), BEAT_MS);
  try {
    const report = `${task.title}: ${JSON.stringify(task.params)}\n`; // the real work goes here
    const ticket = await api('POST', `/v1/tasks/${task.id}/uploads`, { leaseId, name: 'report.txt', contentType: 'text/plain' });
    const put = await fetch(ticket.uploadUrl, { method: 'PUT', headers: { 'content-type': ticket.contentType }, body: report });
    if (!put.ok) throw new Error(`upload: ${put.status}`);
    // Seed 000 processors may send PUT /requests/{id} {status: 2, artifacts: ['report.txt']} instead.
    await api('POST', `/v1/tasks/${task.id}/complete`, { leaseId, status: 'succeeded', artifacts: ['report.txt'] });
  } catch (err) {
    // A 409 here means the lease passed: the task was offered again, so there is nothing to report.
    await api('POST', `/v1/tasks/${task.id}/complete`, { leaseId, status: 'failed', error: { message: String(err) }, retry: true }).catch(() => {});
  } finally {
    clearInterval(beat);
  }
}
