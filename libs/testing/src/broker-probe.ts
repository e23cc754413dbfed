import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';

/**
 * What a failed probe of the broker says about it:
 * - `internal-error`: the broker answered 541 INTERNAL_ERROR to a queue declaration. Seen on the shared local
 *   RabbitMQ when its `rabbit_fifo_dlx_sup` process had died: every declaration of a dead-lettered quorum queue
 *   then closed the connection, each service's start looped on "broker unreachable; retrying", and every test
 *   starting one timed out in beforeAll without saying why. deploy/local's guard restarts the supervisor
 *   (`servers.sh rabbit-guard`; testServers runs it on a local broker, see broker-guard.ts).
 * - `unreachable`: nothing answers on the broker's port, or it answered nothing within the probe's deadline.
 * - `access-refused`: the broker refused the user or the vhost (403, 530, or a refused connection.open).
 * - `other`: anything else (the original error says what).
 */
export type BrokerFault = 'internal-error' | 'unreachable' | 'access-refused' | 'other';

/**
 * The probe's own queue: a dead-lettered quorum queue like the status service's timer queues, deleted at once. A
 * name of its own each time: a declaration refused with 541 leaves the queue's record behind, and declaring that
 * name again only finds it (no new queue is started), so a fixed name passed the second probe of a broken broker.
 */
export const probeQueueName = (): string => `taskyard.broker-probe.${randomBytes(4).toString('hex')}`;

/** A broker that has not answered the probe's declaration by then is reported unreachable. */
export const PROBE_DEADLINE_MS = 15_000;

/** The queue arguments the probe declares: those that need the broker's at-least-once dead-lettering. */
export const PROBE_QUEUE_ARGUMENTS = {
  'x-queue-type': 'quorum',
  'x-dead-letter-exchange': 'amq.direct',
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
};

/** A failed probe: what the broker's fault is, with the message naming it and the fix. */
export class BrokerProbeError extends Error {
  constructor(
    readonly fault: BrokerFault,
    message: string,
    options: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BrokerProbeError';
  }
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
}

/** Classifies an error of amqplib (a connection closed by the server carries its reply code, a socket error its errno). */
export function brokerFault(err: ErrorLike): BrokerFault {
  const code = err.code;
  const message = typeof err.message === 'string' ? err.message : '';
  if (code === 541 || /\b541\b|INTERNAL[_-]ERROR/.test(message)) return 'internal-error';
  // A refused connection.open (no such vhost, no permission on it) reaches amqplib as "Expected ConnectionOpenOk; got <ConnectionClose ...>".
  if (code === 403 || code === 530 || /\b(403|530)\b|ACCESS[_-]REFUSED|NOT[_-]ALLOWED|ConnectionOpenOk; got <ConnectionClose/.test(message)) return 'access-refused';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(String(code)) || /ECONNREFUSED|timed out|did not answer/i.test(message)) return 'unreachable';
  return 'other';
}

/** The broker's address without its credentials, for messages. */
function where(amqpUrl: string): string {
  const url = new URL(amqpUrl);
  return `${url.hostname}:${url.port || 5672} vhost ${decodeURIComponent(url.pathname.slice(1)) || '/'}`;
}

/** A failure's message: which broker, what it answered, what that means and what to do. */
export function brokerFaultMessage(fault: BrokerFault, amqpUrl: string, err: ErrorLike): string {
  const said = typeof err.message === 'string' ? err.message : String(err.code);
  const at = `RabbitMQ at ${where(amqpUrl)}`;
  switch (fault) {
    case 'internal-error':
      return (
        `${at} answered 541 INTERNAL_ERROR when declaring a dead-lettered quorum queue (${said}). The broker's own state ` +
        'is broken (seen when its rabbit_fifo_dlx_sup process died): every service declaring its queues will fail, so ' +
        'tests would time out in beforeAll. Fix the broker, not the test: on the local servers `deploy/local/servers.sh ' +
        'rabbit-guard` restarts the supervisor (or, failing that, the node); elsewhere restart the broker node. On a ' +
        'shared machine, tell whoever runs the servers.'
      );
    case 'unreachable':
      return `${at} is not reachable (${said}): start the servers (\`npm start\` or \`deploy/local/servers.sh start\`) or set RABBITMQ_URL.`;
    case 'access-refused':
      return `${at} refused access (${said}): check that the vhost exists and the user may use it (RABBITMQ_URL, RABBITMQ_ADMIN_URL).`;
    case 'other':
      return `${at} failed the probe declaring a dead-lettered quorum queue: ${said}`;
  }
}

/**
 * Declares and deletes a dead-lettered quorum queue (at-least-once) in the broker's vhost, failing fast with a
 * message naming the broker's state and the fix when it cannot. A connection closed by the server rejects the
 * pending declaration with a bare "Channel ended", so the connection's own error (with the reply code) is
 * preferred when there is one.
 */
export async function probeBroker(amqpUrl: string, deadlineMs = PROBE_DEADLINE_MS, queue = probeQueueName()): Promise<void> {
  let connectionError: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let conn: amqp.ChannelModel | undefined;
  const declare = async (): Promise<void> => {
    conn = await amqp.connect(amqpUrl, { timeout: deadlineMs });
    conn.on('error', (err: Error) => (connectionError = err));
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { durable: true, arguments: PROBE_QUEUE_ARGUMENTS });
    await ch.deleteQueue(queue);
    await ch.close();
  };
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the broker did not answer a queue declaration within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    await Promise.race([declare(), deadline]);
  } catch (err) {
    const cause = connectionError ?? (err as Error);
    const fault = brokerFault(cause as ErrorLike);
    throw new BrokerProbeError(fault, brokerFaultMessage(fault, amqpUrl, cause as ErrorLike), { cause });
  } finally {
    clearTimeout(timer);
    await (conn as amqp.ChannelModel | undefined)?.close().catch(() => undefined);
  }
}
