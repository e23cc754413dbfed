import { TASK_PRIORITIES, jobTypes, priorityQueueName, type JobTypeDefinition } from '@taskyard/contracts';
import { DEFAULT_STATUS_PARTITIONS } from '@taskyard/messaging';

/** A Kubernetes object as it is written to the manifest (validated against the schemas by the tests). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } } & Record<string, unknown>;

export interface ResourceBudget {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

/** One service of the product as it runs on Kubernetes. */
export interface ServiceSpec {
  name: string;
  /** Fixed replicas; consumers start from `scaling.min` and KEDA moves them. */
  replicas: number;
  resources: ResourceBudget;
  /** Needs the bootstrap API keys (the gateway checks them; the others read them for nothing). */
  keys?: boolean;
  /** Takes the callback-signing secret. */
  callbackSecret?: boolean;
  /** A consumer of job-type queues: scaled by KEDA on their length. */
  scaling?: { queues: string[]; min: number; max: number; messagesPerReplica: number };
  /** Seconds a pod gets to finish what it holds after SIGTERM. */
  gracePeriodSeconds: number;
  /** Published as a Service (the gateway only). */
  published?: boolean;
}

export const PORT = 8080;
const PART_OF = 'taskyard';
/** Non-secret settings, shared by every service (ConfigMap `taskyard-config`). */
export const CONFIG_MAP = 'taskyard-config';
/** MONGO_URL, RABBITMQ_URL(S), RABBITMQ_MANAGEMENT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: credentials, so a Secret. */
export const SERVERS_SECRET = 'taskyard-servers';
export const KEYS_SECRET = 'taskyard-keys';
export const CALLBACK_SECRET = 'taskyard-callback';
export const RABBITMQ_AUTH = 'taskyard-rabbitmq';

const SMALL: ResourceBudget = { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '384Mi' } };
const WORKER: ResourceBudget = { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } };
/** Report and import workers stream, but a workbook's shared strings and a zip's entries still take memory. */
const HEAVY_WORKER: ResourceBudget = { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } };
const HEAVY_TYPES = new Set(['spelling-report', 'assessment-report', 'cloud-import']);

/** A job type's queues, one per priority: KEDA scales its workers on the sum of their lengths. */
export const consumerQueues = (type: string): string[] => TASK_PRIORITIES.map((p) => priorityQueueName(type, p));

/** The services of the product: gateway, status, scheduler and one consumer per job type processed in Taskyard. */
/** The diagnostic type is left out: it is off in production (ENABLE_DIAGNOSTIC) and its worker would exit. */
export function productServices(types: Iterable<JobTypeDefinition> = jobTypes().values()): ServiceSpec[] {
  const consumers = [...types]
    .filter((d) => !d.processedOutside)
    .map((d): ServiceSpec => ({
      name: d.type,
      replicas: 1,
      resources: HEAVY_TYPES.has(d.type) ? HEAVY_WORKER : WORKER,
      gracePeriodSeconds: 60,
      scaling: {
        queues: consumerQueues(d.type),
        min: 1,
        max: HEAVY_TYPES.has(d.type) ? 8 : 16,
        // About what one replica holds at once: its prefetch.
        messagesPerReplica: d.limits.prefetch,
      },
    }));
  return [
    { name: 'gateway', replicas: 2, resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } }, keys: true, gracePeriodSeconds: 60, published: true },
    // Partitions are single-active-consumer queues: a second replica stands by and takes over at once.
    { name: 'status', replicas: 2, resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } }, callbackSecret: true, gracePeriodSeconds: 60 },
    // Replicas race for each occurrence and one unique insert decides it.
    { name: 'scheduler', replicas: 2, resources: SMALL, gracePeriodSeconds: 30 },
    ...consumers,
  ];
}

const labels = (name: string): Record<string, string> => ({ 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/name': name });
const selector = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name });

function container(s: ServiceSpec): Record<string, unknown> {
  const probe = (path: string, extra: Record<string, number>): Record<string, unknown> => ({ httpGet: { path, port: PORT }, ...extra });
  return {
    name: s.name,
    image: `taskyard/${s.name}:latest`,
    env: [
      { name: 'PORT', value: String(PORT) },
      { name: 'HOST', value: '0.0.0.0' },
      ...(s.callbackSecret ? [{ name: 'CALLBACK_SECRET', valueFrom: { secretKeyRef: { name: CALLBACK_SECRET, key: 'secret' } } }] : []),
      ...(s.keys ? [{ name: 'TASKYARD_KEYS_FILE', value: '/etc/taskyard/keys.json' }] : []),
    ],
    envFrom: [{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SERVERS_SECRET } }],
    ports: [{ name: 'http', containerPort: PORT }],
    resources: s.resources,
    // Start-up covers the first connections and index creation; liveness only asks the process, readiness its servers.
    startupProbe: probe('/healthz', { periodSeconds: 2, failureThreshold: 60 }),
    livenessProbe: probe('/healthz', { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
    readinessProbe: probe('/readyz', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 }),
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
    ...(s.keys ? { volumeMounts: [{ name: 'keys', mountPath: '/etc/taskyard', readOnly: true }] } : {}),
  };
}

function deployment(s: ServiceSpec): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, labels: labels(s.name) },
    spec: {
      ...(s.scaling ? {} : { replicas: s.replicas }),
      selector: { matchLabels: selector(s.name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(s.name), annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORT), 'prometheus.io/path': '/metrics' } },
        spec: {
          terminationGracePeriodSeconds: s.gracePeriodSeconds,
          containers: [container(s)],
          ...(s.keys ? { volumes: [{ name: 'keys', secret: { secretName: KEYS_SECRET } }] } : {}),
        },
      },
    },
  };
}

/** At most one pod of a service away at a time for a drain. */
function disruptionBudget(s: ServiceSpec): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: s.name, labels: labels(s.name) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(s.name) } },
  };
}

function scaledObject(s: ServiceSpec & { scaling: NonNullable<ServiceSpec['scaling']> }): Manifest {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: s.name, labels: labels(s.name) },
    spec: {
      scaleTargetRef: { name: s.name },
      minReplicaCount: s.scaling.min,
      maxReplicaCount: s.scaling.max,
      pollingInterval: 15,
      // Scale-in waits: a worker stopping mid-job hands its task back, which costs a rerun.
      cooldownPeriod: 300,
      triggers: s.scaling.queues.map((queueName) => ({
        type: 'rabbitmq',
        metadata: { protocol: 'amqp', queueName, mode: 'QueueLength', value: String(s.scaling.messagesPerReplica) },
        authenticationRef: { name: RABBITMQ_AUTH },
      })),
    },
  };
}

/** Non-secret settings; URLs with credentials stay in the Secret. */
function configMap(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP, labels: labels('config') },
    data: {
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
      S3_REGION: 'eu-west-1',
      S3_BUCKET: 'taskyard',
      S3_FORCE_PATH_STYLE: 'false',
      LOG_LEVEL: 'info',
      ENABLE_DIAGNOSTIC: 'false',
      // Raising it: deploy/CAPACITY.md ("Raising the status partitions"); never lower it with events queued.
      STATUS_PARTITIONS: String(DEFAULT_STATUS_PARTITIONS),
      // Hosts api-harvest jobs may request, comma-separated (API_HARVEST_PRIVATE_HOSTS: also on private addresses).
      API_HARVEST_ALLOWED_HOSTS: '',
    },
  };
}

export function renderManifests(services: ServiceSpec[] = productServices()): Manifest[] {
  const docs: Manifest[] = [configMap()];
  for (const s of services) {
    docs.push(deployment(s), disruptionBudget(s));
    if (s.scaling) docs.push(scaledObject({ ...s, scaling: s.scaling }));
    if (s.published) {
      docs.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: s.name, labels: labels(s.name) },
        spec: { selector: selector(s.name), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
    }
  }
  docs.push({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: RABBITMQ_AUTH, labels: labels('keda') },
    spec: { secretTargetRef: [{ parameter: 'host', name: SERVERS_SECRET, key: 'RABBITMQ_URL' }] },
  });
  return docs;
}
