import { Agent, request } from 'node:http';
import type { TaskStatus, TaskView } from '@taskyard/contracts';

interface Answer {
  status: number;
  body: string;
}

/**
 * The few gateway calls the benchmark makes, over plain HTTP as any client would: node's http with
 * kept-alive connections (fetch spent about twice the CPU per request, all of it counted as the load
 * generator's part of a task).
 */
export class TaskClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly key: string,
  ) {
    this.base = new URL(baseUrl);
  }

  private call(method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
    return this.send(method, path, body).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
      // A kept-alive socket the gateway closed (its keep-alive timeout) just as this request went out on it:
      // the request never reached the gateway (Node's documented case for `request.reusedSocket`), send it again.
      if (err.reusedSocket && err.code === 'ECONNRESET') return this.send(method, path, body);
      throw err;
    });
  }

  private send(method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    return new Promise((resolve, reject) => {
      const req = request({ host: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  }

  async submit(type: string, params: Record<string, unknown>): Promise<string> {
    const res = await this.call('POST', '/v1/tasks', JSON.stringify({ type, params }));
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${res.body}`);
    return (JSON.parse(res.body) as { id: string }).id;
  }

  async status(id: string): Promise<TaskStatus> {
    return (JSON.parse((await this.call('GET', `/v1/tasks/${id}`)).body) as { status: TaskStatus }).status;
  }

  /** The task as the API shows it (its times: created, started, finished). */
  async task(id: string): Promise<TaskView> {
    const res = await this.call('GET', `/v1/tasks/${id}`);
    if (res.status !== 200) throw new Error(`GET /v1/tasks/${id} answered ${res.status}: ${res.body}`);
    return JSON.parse(res.body) as TaskView;
  }

  /** Closes the kept-alive connections (a run's end). */
  close(): void {
    this.agent.destroy();
  }
}
