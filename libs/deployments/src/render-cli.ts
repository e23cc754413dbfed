import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { testServers } from '@taskyard/testing';
import { exportDefinitions } from './definitions-export';
import { renderDefinitionsConfigMap, renderManifestFile } from './manifest-files';

/**
 * `pnpm --filter @taskyard/deployments render`: writes deploy/k8s/taskyard.yaml from the contracts and
 * deploy/k8s/rabbitmq-definitions.yaml from the topology as declared on a real broker (the local stack's).
 * The deployments test fails while either is stale.
 */
async function main(): Promise<void> {
  const dir = path.resolve(__dirname, '../../../deploy/k8s');
  writeFileSync(path.join(dir, 'taskyard.yaml'), renderManifestFile());
  const servers = await testServers('render-definitions');
  try {
    writeFileSync(path.join(dir, 'rabbitmq-definitions.yaml'), renderDefinitionsConfigMap(await exportDefinitions(servers)));
  } finally {
    await servers.cleanup();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
