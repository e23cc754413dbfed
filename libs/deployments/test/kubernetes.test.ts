import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { testServers, type TestServers } from '@taskyard/testing';
import {
  CONFIG_MAP,
  SERVERS_SECRET,
  consumerQueues,
  declareTopologyAt,
  exportDefinitions,
  managementGet,
  productServices,
  renderDefinitionsConfigMap,
  renderManifestFile,
  type Manifest,
  type RabbitDefinitions,
} from '../src';

/**
 * deploy/k8s/ as committed: current with the contracts, valid against the Kubernetes and KEDA schemas
 * (kubernetes-models and @kubernetes-models/keda, offline), a Deployment with probes and resources and a
 * PodDisruptionBudget per service, a ScaledObject per consumer queue, settings apart from secrets, and
 * RabbitMQ definitions that a broker loads and that the services' own declarations then match.
 */

const ROOT = path.resolve(__dirname, '../../..');
const K8S = path.join(ROOT, 'deploy/k8s');
const manifestText = readFileSync(path.join(K8S, 'taskyard.yaml'), 'utf8');
const definitionsText = readFileSync(path.join(K8S, 'rabbitmq-definitions.yaml'), 'utf8');

function documents(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`YAML: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Manifest;
  });
}
const docs = documents(manifestText);
const ofKind = <T = Manifest>(kind: string): (Manifest & T)[] => docs.filter((d) => d.kind === kind) as (Manifest & T)[];

interface Container {
  name: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
}
type Deployment = { spec: { selector: { matchLabels: Record<string, string> }; template: { spec: { containers: Container[] } } } };

/** The schema class of a document's apiVersion and kind, from the packages' own layout. */
function modelFor(doc: Manifest): { new (data: unknown): { validate(): void } } {
  const pkg = doc.apiVersion.startsWith('keda.sh/') ? '@kubernetes-models/keda' : 'kubernetes-models';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`${pkg}/${doc.apiVersion}/${doc.kind}`) as Record<string, { new (data: unknown): { validate(): void } }>;
  return mod[doc.kind];
}

test('deploy/k8s/taskyard.yaml is what the contracts render (run `pnpm --filter @taskyard/deployments render` after a change)', () => {
  expect(manifestText).toBe(renderManifestFile());
});

test('every document is valid against the Kubernetes and KEDA schemas', () => {
  expect(docs.length).toBeGreaterThan(10);
  for (const doc of [...docs, ...documents(definitionsText)]) {
    const Model = modelFor(doc);
    expect(() => new Model(doc).validate()).not.toThrow();
  }
  // The check can fail: a wrong type is refused.
  const bad = structuredClone(ofKind('Deployment')[0]) as Manifest & { spec: { replicas: unknown } };
  bad.spec.replicas = 'two';
  expect(() => new (modelFor(bad))(bad).validate()).toThrow(/replicas/);
});

test('a Deployment per service, with start-up, liveness and readiness probes, resources and a PodDisruptionBudget', () => {
  const serviceDirs = readdirSync(path.join(ROOT, 'services')).filter((d) => existsSync(path.join(ROOT, 'services', d, 'src/main.ts')));
  const deployments = ofKind<Deployment>('Deployment');
  // Every service but the platform's own test job type (off in production).
  expect(deployments.map((d) => d.metadata.name).sort()).toEqual(serviceDirs.filter((d) => d !== 'diagnostic').sort());
  const budgets = ofKind<{ spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } }>('PodDisruptionBudget');
  for (const d of deployments) {
    const [c] = d.spec.template.spec.containers;
    expect({ name: d.metadata.name, probes: [Boolean(c.startupProbe), Boolean(c.livenessProbe), Boolean(c.readinessProbe)] }).toEqual({ name: d.metadata.name, probes: [true, true, true] });
    expect(c.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources?.limits?.memory).toEqual(expect.any(String));
    expect(budgets.filter((b) => JSON.stringify(b.spec.selector.matchLabels) === JSON.stringify(d.spec.selector.matchLabels))).toHaveLength(1);
  }
});

test('a KEDA ScaledObject per consumer, with a queue-length trigger on each of its queues and min/max replicas', () => {
  const scaled = ofKind<{ spec: { scaleTargetRef: { name: string }; minReplicaCount: number; maxReplicaCount: number; triggers: Array<{ type: string; metadata: Record<string, string> }> } }>('ScaledObject');
  const consumers = productServices().filter((s) => s.scaling);
  expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(consumers.map((c) => c.name).sort());
  for (const s of scaled) {
    expect(s.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(s.spec.maxReplicaCount).toBeGreaterThan(s.spec.minReplicaCount);
    expect(s.spec.triggers.map((t) => [t.type, t.metadata.mode, t.metadata.queueName])).toEqual(consumerQueues(s.spec.scaleTargetRef.name).map((q) => ['rabbitmq', 'QueueLength', q]));
  }
  expect(ofKind('TriggerAuthentication')).toHaveLength(1);
});

test('settings and secrets apart: the ConfigMap holds no credential, credentials come from Secrets only', () => {
  const [config] = ofKind<{ data: Record<string, string> }>('ConfigMap');
  expect(config.metadata.name).toBe(CONFIG_MAP);
  for (const [k, v] of Object.entries(config.data)) {
    expect(k).not.toMatch(/SECRET|PASSWORD|KEY_ID|_URL$|_URLS$/);
    expect(v).not.toMatch(/\/\/[^/]*@/);
  }
  expect(ofKind('Secret')).toEqual([]);
  for (const d of ofKind<Deployment>('Deployment')) {
    const [c] = d.spec.template.spec.containers;
    expect(c.envFrom).toEqual([{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SERVERS_SECRET } }]);
    for (const e of c.env ?? []) if (/SECRET|PASSWORD/.test(e.name)) expect(e.valueFrom).toEqual({ secretKeyRef: expect.anything() });
  }
});

describe('RabbitMQ definitions', () => {
  let servers: TestServers;
  beforeAll(async () => {
    servers = await testServers('definitions');
  });
  afterAll(async () => {
    await servers?.cleanup();
  });

  const committed = (): RabbitDefinitions => {
    const [cm] = documents(definitionsText) as Array<Manifest & { data: Record<string, string> }>;
    return JSON.parse(cm.data['definitions.json']) as RabbitDefinitions;
  };

  test('are what the services declare (exported from a real broker), quorum queues only', async () => {
    const fresh = await exportDefinitions(servers);
    expect(definitionsText).toBe(renderDefinitionsConfigMap(fresh));
    expect(fresh.queues.length).toBeGreaterThan(10);
    for (const q of fresh.queues) expect({ queue: q.name, type: q.arguments['x-queue-type'] }).toEqual({ queue: q.name, type: 'quorum' });
  });

  test('load into a broker, policies included, and the services then declare their topology over them unrefused', async () => {
    const base = new URL(servers.adminManagementUrl!);
    const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
    const vhost = `${servers.namespace}-loaded`;
    const call = (method: string, p: string, body?: unknown): Promise<Response> =>
      fetch(`${base.protocol}//${base.host}${p}`, { method, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const user = decodeURIComponent(new URL(servers.rabbitmqUrl).username);
    expect((await call('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`)).ok).toBe(true);
    try {
      await call('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
      const defs = committed();
      const loaded = await call('POST', `/api/definitions/${encodeURIComponent(vhost)}`, { policies: defs.policies, queues: defs.queues, exchanges: defs.exchanges, bindings: defs.bindings });
      expect([200, 201, 204]).toContain(loaded.status);
      const policies = await managementGet<Array<{ name: string }>>(servers, `/api/policies/${encodeURIComponent(vhost)}`);
      expect(policies.map((p) => p.name)).toEqual(defs.policies.map((p) => p.name));
      const url = new URL(servers.rabbitmqUrl);
      url.pathname = `/${encodeURIComponent(vhost)}`;
      await declareTopologyAt(url.toString());
    } finally {
      await call('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
    }
  });
});
