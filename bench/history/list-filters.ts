import { FILL_OWNERS, FILL_TAG } from './fill';

/** The filters of every list page bench/history reads, user's and admin's (the admin's by owner too). */
export const LIST_FILTERS: Record<string, Record<string, string>> = {
  all: {},
  type: { type: 'diagnostic' },
  'status=succeeded': { status: 'succeeded' },
  'status=failed': { status: 'failed' },
  'status=queued': { status: 'queued' },
  tag: { tag: FILL_TAG },
};

/** Each list of the benchmark: who reads it and with what filter (a user reads only FILL_OWNERS[0]'s own). */
export const LIST_READERS = [
  ['user', LIST_FILTERS],
  ['admin', { ...LIST_FILTERS, owner: { owner: FILL_OWNERS[1] } }],
] as const;
