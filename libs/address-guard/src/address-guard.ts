import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses an outbound request a user named (a callback, an API to harvest) must never reach unless an
 * admin allows the host: loopback, private, link-local (the cloud metadata services among them),
 * carrier-grade NAT, unspecified, multicast and reserved ranges.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/**
 * A host as compared against an allow-list: WHATWG URL parsing has already lower-cased it and turned
 * decimal, octal and hex IPv4 forms into dotted quads; here the IPv6 brackets and one trailing dot (the
 * same DNS name, fully qualified) go, so `API.Example.com.` and `api.example.com` are one host.
 */
export function canonicalHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

export class AddressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefused';
  }
}

/** True for an address an outbound request may not reach (an IPv4-mapped IPv6 address is judged as its IPv4). */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The DNS lookup an outbound connection uses: every address the name resolves to is checked, and the
 * connection goes to a checked one, so a name cannot pass the check and then be rebound elsewhere.
 */
export function guardedLookup(allowedHosts: ReadonlySet<string>): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const blocked = allowedHosts.has(canonicalHost(hostname)) ? undefined : addresses.find((a) => isBlockedAddress(a.address));
      if (blocked) return callback(new AddressRefused(`${hostname} resolves to ${blocked.address}, a loopback, private or link-local address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** A URL whose host is a literal address is checked here: no lookup runs for it. */
export function literalAddressProblem(hostname: string, allowedHosts: ReadonlySet<string>): string | undefined {
  const host = canonicalHost(hostname);
  if (isIP(host) === 0 || allowedHosts.has(host)) return undefined;
  return isBlockedAddress(host) ? `${host} is a loopback, private or link-local address` : undefined;
}
