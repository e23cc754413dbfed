/**
 * Tasks each system runs before its measured run (`--warm=N`). V8 optimizes a function only after it has run
 * many times, and TurboFan's compiles are CPU of the process that asks for them: after the 50 tasks this
 * bench used to warm up with, `perf` found the optimizing compiler at 27% of the gateway's and of the
 * worker's CPU during a measured run of 1,500 tasks, 9-11% after 3,000. A service that has run for a while
 * pays none of it per task; measuring steady state means warming up first. The same for every system:
 * BullMQ is Node too, Celery's Python has nothing to compile (its warm-up costs only time).
 */
export const DEFAULT_WARM_UP_TASKS = 2000;
