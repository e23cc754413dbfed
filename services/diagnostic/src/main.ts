import { runWorkerService } from '@taskyard/worker';
import { diagnosticWorker } from './diagnostic-handler';

runWorkerService(diagnosticWorker);
