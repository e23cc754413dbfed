/** The definition main.ts hands to the engine (`runWorkerService`) once it lands in libs/worker. */
export { spellingReportWorker as worker } from './spelling-report-handler';
