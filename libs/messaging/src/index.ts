export { BrokerConnection, nodeOf, RECONNECT_BACKOFF_MS, CONNECT_TIMEOUT_MS } from './broker-connection';
export { ConfirmPublisher, BrokerUnavailable, DEFAULT_CONFIRM_TIMEOUT_MS, SERVICE_REPUBLISH_WITHIN_MS } from './confirm-publisher';
export type { PublisherOptions } from './confirm-publisher';
export { QueueConsumer } from './queue-consumer';
export type { Settlement, MessageHandler, ConsumerOptions } from './queue-consumer';
export { declareCallbackQueues, declareTopology, declareExchanges, declareJobType, declareStatusPartitions, declareTimerQueues, declareLeaseChecks, leaseCheckDelayMs, delaysFor, DEFAULT_STATUS_PARTITIONS } from './topology';
export { publishTask, publishRetry, publishDeadLetter, publishEvent, publishTimer, publishScheduled, dispatchTask, parseJson } from './task-publishing';
export { SCHEDULED_WAITS, waitFor, declareScheduledWaits } from './scheduled-waits';
export type { ScheduledWait } from './scheduled-waits';
