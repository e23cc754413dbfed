import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };

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
