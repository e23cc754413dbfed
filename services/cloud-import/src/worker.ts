/** The definition main.ts hands to the engine (`runWorkerService`). */
export { cloudImportWorker as worker } from './cloud-import-handler';
