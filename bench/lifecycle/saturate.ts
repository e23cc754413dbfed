import autocannon from 'autocannon';

/** A closed loop: each connection sends its next request when the last is answered (the saturation rate). */
export function cannon(url: string, key: string, opts: { connections: number; duration: number }): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/tasks`,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'diagnostic', params: {} }),
        connections: opts.connections,
        duration: opts.duration,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}
