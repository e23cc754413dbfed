/** The definition main.ts hands to the engine (`runWorkerService`) once it lands in libs/worker. */
export { assessmentReportWorker as worker } from './assessment-report-handler';
