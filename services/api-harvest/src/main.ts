import { runWorkerService } from '@taskyard/worker';
import { harvestConfigFromEnv } from './harvest-config';
import { apiHarvestWorker } from './worker';

runWorkerService(apiHarvestWorker(harvestConfigFromEnv(process.env)));
