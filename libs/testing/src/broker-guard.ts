import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { BrokerProbeError, probeBroker } from './broker-probe';

const SERVERS_SH = path.resolve(__dirname, '../../../deploy/local/servers.sh');
const run = promisify(execFile);

/** deploy/local/lib.sh's AMQP port when TASKYARD_AMQP_PORT does not say another. */
const LOCAL_AMQP_PORT = '5673';
/** A guard that restarts the node waits for it to boot (servers.sh gives RabbitMQ 90 s, then its management 30 s). */
const GUARD_TIMEOUT_MS = 240_000;

/**
 * The environment that points deploy/local/servers.sh at the broker of `amqpUrl` when that broker is the local
 * stack's (loopback, the stack's AMQP port); undefined for any other broker, which the tests never touch.
 */
export function localBrokerEnv(amqpUrl: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  const url = new URL(amqpUrl);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return undefined;
  return (url.port || '5672') === (env.TASKYARD_AMQP_PORT ?? LOCAL_AMQP_PORT) ? env : undefined;
}

/**
 * Runs the local stack's guard of RabbitMQ's dead-letter supervisor (`servers.sh rabbit-guard`, which says why) on
 * the broker `env` names, and answers what it said: nothing when the broker was sound.
 */
export async function guardBroker(env: NodeJS.ProcessEnv): Promise<string> {
  const { stderr } = await run('bash', [SERVERS_SH, 'rabbit-guard'], { env, timeout: GUARD_TIMEOUT_MS, maxBuffer: 10 * 1024 * 1024 });
  return stderr.trim();
}

/**
 * probeBroker, except that a broker answering 541 whose guard `guardEnv` can run (the local stack's: see
 * localBrokerEnv) is cured and probed again, rather than failing every test file from then on: on a shared
 * machine one dead supervisor failed 93 files of a CI run. Answers the guard's report when it cured the broker.
 */
export async function probeCuringBroker(amqpUrl: string, guardEnv = localBrokerEnv(amqpUrl)): Promise<string | undefined> {
  try {
    await probeBroker(amqpUrl);
    return undefined;
  } catch (err) {
    if (!(err instanceof BrokerProbeError) || err.fault !== 'internal-error' || !guardEnv) throw err;
    const report = await guardBroker(guardEnv).catch((guardErr: Error) => {
      throw new Error(`${err.message}\nThe local guard could not cure it: ${guardErr.message}`, { cause: err });
    });
    await probeBroker(amqpUrl);
    return report || 'the guard found nothing to cure, and the probe passed on its second try';
  }
}
