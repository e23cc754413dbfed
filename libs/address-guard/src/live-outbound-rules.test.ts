import { LiveOutboundRules } from './live-outbound-rules';
import { outboundRulesFromEnv, outboundUrlProblem } from './host-allow-list';

const SETTINGS = { allowed: 'API_HARVEST_ALLOWED_HOSTS', private: 'API_HARVEST_PRIVATE_HOSTS' };
const defaults = outboundRulesFromEnv({ API_HARVEST_ALLOWED_HOSTS: 'env.example' }, SETTINGS);

function rig(): { live: LiveOutboundRules; stored: { value: { allowed: string[]; privateHosts: string[] } | null; fail: boolean }; clock: { t: number } } {
  const stored = { value: null as { allowed: string[]; privateHosts: string[] } | null, fail: false };
  const clock = { t: 0 };
  const live = new LiveOutboundRules({
    defaults,
    read: async () => {
      if (stored.fail) throw new Error('database down');
      return stored.value;
    },
    refreshMs: 1000,
    maxStaleMs: 3000,
    now: () => clock.t,
  });
  return { live, stored, clock };
}

const allows = (live: LiveOutboundRules, url: string): boolean | undefined => {
  const rules = live.current();
  return rules ? outboundUrlProblem(url, rules) === undefined : undefined;
};

test('the environment applies until an admin stores lists; a stored change applies on the next read; names the setting', async () => {
  const { live, stored } = rig();
  await live.refresh();
  expect(allows(live, 'https://env.example/x')).toBe(true);
  stored.value = { allowed: ['api.example.com', 'stats.example.org:8443'], privateHosts: [] };
  expect(allows(live, 'https://api.example.com/x')).toBe(false);
  await live.refresh();
  expect(allows(live, 'https://api.example.com/x')).toBe(true);
  expect(allows(live, 'https://stats.example.org:8443/x')).toBe(true);
  expect(allows(live, 'https://env.example/x')).toBe(false);
  expect(outboundUrlProblem('https://env.example/x', live.current()!)?.message).toContain('API_HARVEST_ALLOWED_HOSTS');
  stored.value = { allowed: [], privateHosts: [] };
  await live.refresh();
  expect(allows(live, 'https://api.example.com/x')).toBe(false);
});

test('reads that fail keep the last rules for maxStaleMs, then none (callers refuse rather than use an old list)', async () => {
  const { live, stored, clock } = rig();
  stored.value = { allowed: ['api.example.com'], privateHosts: [] };
  await live.refresh();
  stored.fail = true;
  clock.t = 2000;
  await live.refresh();
  expect(allows(live, 'https://api.example.com/x')).toBe(true);
  clock.t = 3001;
  expect(live.current()).toBeUndefined();
  stored.fail = false;
  await live.refresh();
  expect(allows(live, 'https://api.example.com/x')).toBe(true);
});

test('start reads at once and then every refreshMs', async () => {
  jest.useFakeTimers();
  try {
    const { live, stored } = rig();
    await live.start();
    expect(allows(live, 'https://api.example.com/x')).toBe(false);
    stored.value = { allowed: ['api.example.com'], privateHosts: [] };
    await jest.advanceTimersByTimeAsync(1000);
    expect(allows(live, 'https://api.example.com/x')).toBe(true);
    live.stop();
  } finally {
    jest.useRealTimers();
  }
});
