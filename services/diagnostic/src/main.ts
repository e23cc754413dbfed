import { runWorkerService } from '@taskyard/worker';
import { diagnosticWorker } from './diagnostic-handler';

void runWorkerService(diagnosticWorker);
