export { AddressRefused, canonicalHost, guardedLookup, isBlockedAddress, literalAddressProblem } from './address-guard';
export { BadAllowListEntry, HostAllowList, outboundRulesFromEnv, outboundUrlProblem } from './host-allow-list';
export type { OutboundRules, UrlProblem } from './host-allow-list';
export { LiveOutboundRules, rulesFromLists } from './live-outbound-rules';
export type { LiveRulesOptions, StoredHostLists } from './live-outbound-rules';
