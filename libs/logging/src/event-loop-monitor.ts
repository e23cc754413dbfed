/**
 * The event-loop delay monitor's sampling interval (prom-client's `eventLoopMonitoringPrecision`, whose
 * default is 10 ms). The monitor is a libuv timer: at 10 ms it woke every idle service 100 times a second,
 * 0.25% of a core per process here (an idle Node process with it against one without, 60 s at load 17-27;
 * 0.05% at 100 ms), the largest single share of the idle stack's CPU (bench/history README, session 7).
 * Node records the whole interval between the timer's calls, so every `nodejs_eventloop_lag_*` gauge
 * includes this interval: the delay is the gauge less EVENT_LOOP_MONITOR_MS.
 */
export const EVENT_LOOP_MONITOR_MS = 100;

/** The options prom-client's collectDefaultMetrics takes for it. */
export const EVENT_LOOP_MONITOR = { eventLoopMonitoringPrecision: EVENT_LOOP_MONITOR_MS } as const;
