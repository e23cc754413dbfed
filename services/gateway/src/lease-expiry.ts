import { LEASE_EXPIRY_QUEUE } from '@taskyard/contracts';
import type { Logger } from '@taskyard/logging';
import { QueueConsumer, parseJson, type BrokerConnection } from '@taskyard/messaging';
import type { ProcessorLeases } from './processor-leases';

/** Lease checks handled at once by one gateway. */
const CHECK_PREFETCH = 16;

/**
 * Watches the leases of HTTP processors without reading any collection by time: each claim and each
 * check sends a lease check through a TTL queue (half a lease), and when it comes back here the claim it
 * names is read by `_id`: still held → checked again later; passed → expired and its task offered again.
 */
export function leaseExpiryConsumer(broker: BrokerConnection, leases: ProcessorLeases, logger: Logger): QueueConsumer {
  return new QueueConsumer(
    broker,
    { queue: LEASE_EXPIRY_QUEUE, prefetch: CHECK_PREFETCH },
    async (msg) => {
      let claimId: unknown;
      try {
        claimId = parseJson<{ claimId?: unknown }>(msg.content).claimId;
      } catch {
        claimId = undefined;
      }
      if (typeof claimId !== 'string') {
        logger.warn('a lease check without a claim id; dropped');
        return 'drop';
      }
      await leases.check(claimId);
      return 'ack';
    },
    logger,
  );
}
