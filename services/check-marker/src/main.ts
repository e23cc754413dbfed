import { runWorkerService } from '@taskyard/worker';
import { worker } from './worker';

void runWorkerService(worker);
