import { isIP } from 'node:net';
import { canonicalHost, literalAddressProblem } from './address-guard';

/** `url.port`, or the scheme's default when the URL names none. */
const effectivePort = (url: URL): string => url.port || (url.protocol === 'https:' ? '443' : '80');

export class BadAllowListEntry extends Error {
  constructor(variable: string, entry: string) {
    super(`${variable}: "${entry}" is not a host name, an IP address or host:port`);
    this.name = 'BadAllowListEntry';
  }
}

/** One entry as the URL parser reads a host (so an entry and a URL spelling one host differently still match). */
function parseEntry(variable: string, entry: string): { host: string; port?: string } {
  const text = isIP(entry) === 6 ? `[${entry}]` : entry;
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    throw new BadAllowListEntry(variable, entry);
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || !url.hostname) throw new BadAllowListEntry(variable, entry);
  // An entry naming a port allows that port only; `:80` is the default the URL parser drops.
  const port = /:\d+$/.test(text) ? url.port || '80' : undefined;
  return { host: canonicalHost(url.hostname), ...(port ? { port } : {}) };
}

/**
 * The hosts an admin lets jobs reach, from a comma-separated setting: `host` allows it on any port,
 * `host:port` on that port only. `variable` names the setting in every refusal, so a user is told which
 * rule refused them (never the list itself).
 */
export class HostAllowList {
  private readonly ports = new Map<string, Set<string> | 'any'>();
  /** The entries as given (what an admin is shown). */
  readonly entries: readonly string[];

  constructor(
    readonly variable: string,
    text: string | undefined,
  ) {
    this.entries = (text ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    for (const entry of this.entries) {
      const { host, port } = parseEntry(variable, entry);
      const known = this.ports.get(host);
      if (!port) this.ports.set(host, 'any');
      else if (known !== 'any') this.ports.set(host, new Set([...(known ?? []), port]));
    }
  }

  /** The hosts named, canonical, whatever their ports (what the connect-time address check compares). */
  get hosts(): ReadonlySet<string> {
    return new Set(this.ports.keys());
  }

  allows(url: URL): boolean {
    const ports = this.ports.get(canonicalHost(url.hostname));
    return ports === 'any' || (ports !== undefined && ports.has(effectivePort(url)));
  }
}

/** Why a URL a user named may not be requested; `host` is set when the allow-list refused it. */
export interface UrlProblem {
  code: 'bad-url' | 'host-not-allowed' | 'address-refused';
  message: string;
  host?: string;
}

export interface OutboundRules {
  /** Hosts a request may go to. */
  allowed: HostAllowList;
  /** Allowed hosts that may also be (or resolve to) loopback, private or link-local addresses. */
  privateHosts: HostAllowList;
}

/**
 * The check before any connection (the resolved address is checked again at connect): http(s) only, no
 * user name or password (`https://allowed.example@evil.example/` goes to evil.example), the host and port on
 * the allow-list, a literal private address only for a host allowed to be private.
 */
export function outboundUrlProblem(text: string, rules: OutboundRules): UrlProblem | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { code: 'bad-url', message: `not a web address: ${text.slice(0, 200)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { code: 'bad-url', message: `only http and https addresses are requested, not ${url.protocol}` };
  if (url.username || url.password) return { code: 'bad-url', message: 'an address with a user name or password in it is refused' };
  const host = canonicalHost(url.hostname);
  const shown = url.port ? `${host}:${url.port}` : host;
  if (!rules.allowed.allows(url) && !rules.privateHosts.allows(url)) {
    return { code: 'host-not-allowed', host: shown, message: `${shown} is not on the hosts an administrator allows (${rules.allowed.variable})` };
  }
  const literal = literalAddressProblem(host, rules.privateHosts.hosts);
  return literal ? { code: 'address-refused', host: shown, message: `${literal} and not on the hosts allowed to be private (${rules.privateHosts.variable})` } : undefined;
}

/** The two settings of one kind of outbound request, read from the environment (a bad entry throws at start). */
export function outboundRulesFromEnv(env: Record<string, string | undefined>, settings: { allowed: string; private: string }): OutboundRules {
  return { allowed: new HostAllowList(settings.allowed, env[settings.allowed]), privateHosts: new HostAllowList(settings.private, env[settings.private]) };
}
