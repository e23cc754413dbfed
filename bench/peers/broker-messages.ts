/** What the broker did, as its management API counts it: publishes, confirms, deliveries, acks, redeliveries. */
export type BrokerMessages = Record<(typeof COUNTED)[number], number>;

const COUNTED = ['publish', 'confirm', 'deliver_get', 'ack', 'redeliver'] as const;

/** The management API of a broker only this run uses (`--broker=private`): its counts are the run's alone. */
let managementUrl: string | undefined;

export function countBrokerMessages(url: string): void {
  managementUrl = url;
}

/**
 * The broker's message counts so far (node-wide), or undefined with the shared broker (other sessions' counts
 * would mix in). The management plugin refreshes them every 5 s: read them after the run's settle (11 s).
 */
export async function brokerMessages(): Promise<BrokerMessages | undefined> {
  if (!managementUrl) return undefined;
  const url = new URL('/api/overview', managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const res = await fetch(url, { headers: { authorization: auth } });
  const stats = ((await res.json()) as { message_stats?: Partial<BrokerMessages> }).message_stats ?? {};
  return Object.fromEntries(COUNTED.map((k) => [k, stats[k] ?? 0])) as BrokerMessages;
}

/** Each count's difference per task. */
export function messagesPerTask(before: BrokerMessages, after: BrokerMessages, tasks: number): BrokerMessages {
  return Object.fromEntries(COUNTED.map((k) => [k, Math.round((100 * (after[k] - before[k])) / tasks) / 100])) as BrokerMessages;
}
