import { ManagementUnavailable } from './errors';

export interface QueueStats {
  ready: number;
  unacked: number;
  consumers: number;
  messages: number;
}

interface ManagementQueue {
  name: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  messages?: number;
  consumers?: number;
}

/** The vhost an AMQP URL names ('/' when its path is empty). */
export function vhostOf(amqpUrl: string): string {
  const path = new URL(amqpUrl).pathname.slice(1);
  return path ? decodeURIComponent(path) : '/';
}

/** RabbitMQ's management HTTP API, for queue depths and consumers of this deployment's vhost. */
export class RabbitManagement {
  private readonly base: URL;
  private readonly auth: string;
  readonly vhost: string;

  constructor(
    managementUrl: string,
    amqpUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    const url = new URL(managementUrl);
    this.auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
    this.base = url;
    this.vhost = vhostOf(amqpUrl);
  }

  /** The management UI's address, without credentials, for admins to open. */
  get publicUrl(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  async queues(): Promise<Map<string, QueueStats>> {
    const path = `/api/queues/${encodeURIComponent(this.vhost)}?columns=name,messages,messages_ready,messages_unacknowledged,consumers`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), { headers: { authorization: `Basic ${this.auth}` }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new ManagementUnavailable(`the RabbitMQ management API did not answer: ${(err as Error).message}`);
    }
    if (!res.ok) throw new ManagementUnavailable(`the RabbitMQ management API answered ${res.status}`);
    const list = (await res.json()) as ManagementQueue[];
    return new Map(
      list.map((q) => [
        q.name,
        { ready: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0, messages: q.messages ?? 0 },
      ]),
    );
  }
}
