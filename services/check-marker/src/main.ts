import { runWorkerService } from '@taskyard/worker';
import { worker } from './worker';

runWorkerService(worker);
