/** A call of RabbitMQ's management API with the credentials in `baseUrl`; a 404 counts as done (what is gone is gone). */
export async function management(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  const url = new URL(baseUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const res = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok && res.status !== 404) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}
