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

interface ManagementNode {
  base: URL;
  auth: string;
}

function nodeOf(managementUrl: string): ManagementNode {
  const url = new URL(managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  return { base: url, auth };
}

/**
 * RabbitMQ's management HTTP API, for queue depths and consumers of this deployment's vhost. Given every
 * node's API (a cluster: any node answers for all), a node that does not answer is passed over for the
 * next, and the one that answered is asked first next time.
 */
export class RabbitManagement {
  private readonly nodes: ManagementNode[];
  private current = 0;
  readonly vhost: string;

  constructor(
    managementUrls: string | string[],
    amqpUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    this.nodes = (typeof managementUrls === 'string' ? [managementUrls] : managementUrls).map(nodeOf);
    if (this.nodes.length === 0) throw new Error('RabbitManagement needs at least one management URL');
    this.vhost = vhostOf(amqpUrl);
  }

  /** The management UI's address (of the node that answered last), without credentials, for admins to open. */
  get publicUrl(): string {
    return this.nodes[this.current].base.toString().replace(/\/$/, '');
  }

  async queues(): Promise<Map<string, QueueStats>> {
    const path = `/api/queues/${encodeURIComponent(this.vhost)}?columns=name,messages,messages_ready,messages_unacknowledged,consumers`;
    const list = await this.get<ManagementQueue[]>(path);
    return new Map(
      list.map((q) => [
        q.name,
        { ready: q.messages_ready ?? 0, unacked: q.messages_unacknowledged ?? 0, consumers: q.consumers ?? 0, messages: q.messages ?? 0 },
      ]),
    );
  }

  /** Each node once, from the one that answered last; the failure of the last one tried when none answers. */
  private async get<T>(path: string): Promise<T> {
    let problem = '';
    for (let tried = 0; tried < this.nodes.length; tried++) {
      const i = (this.current + tried) % this.nodes.length;
      const { base, auth } = this.nodes[i];
      try {
        const res = await fetch(new URL(path, base), { headers: { authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(this.timeoutMs) });
        if (res.ok) {
          const body = (await res.json()) as T;
          this.current = i;
          return body;
        }
        problem = `answered ${res.status}`;
      } catch (err) {
        problem = `did not answer: ${(err as Error).message}`;
      }
    }
    const which = this.nodes.length > 1 ? `none of the ${this.nodes.length} RabbitMQ management APIs answered; the last` : 'the RabbitMQ management API';
    throw new ManagementUnavailable(`${which} ${problem}`);
  }
}
