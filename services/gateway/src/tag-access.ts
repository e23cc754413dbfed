import type { Principal } from './api-keys';
import { Forbidden, InvalidRequest } from './errors';

/**
 * What a key limited to some tags (tenants) may do: submit and see tasks of those tags only. A key without
 * tags is not limited. These are the only checks of it, used by every route that takes or shows a task.
 */

const named = (tags: string[]): string => tags.map((t) => `"${t}"`).join(', ');

/** The tag a submission gets: the one asked for if the key allows it, else the key's only tag. */
export function submitTag(who: Principal, tag: string | undefined): string | undefined {
  if (!who.tags) return tag;
  if (tag === undefined && who.tags.length === 1) return who.tags[0];
  if (tag === undefined) throw new Forbidden(`this API key submits tasks tagged ${named(who.tags)} only: set "tag" to one of them`);
  if (!who.tags.includes(tag)) throw new Forbidden(`this API key may not submit tasks tagged "${tag}"; it may use ${named(who.tags)}`);
  return tag;
}

/** The tag filter of a list: the one asked for if the key allows it, else the key's only tag. */
export function listTag(who: Principal, tag: string | undefined): string | undefined {
  if (!who.tags) return tag;
  if (tag === undefined && who.tags.length === 1) return who.tags[0];
  if (tag === undefined) throw new InvalidRequest(`this API key sees tasks tagged ${named(who.tags)} only: name one with ?tag=`);
  if (!who.tags.includes(tag)) throw new Forbidden(`this API key may not see tasks tagged "${tag}"; it may see ${named(who.tags)}`);
  return tag;
}

/** Whether the key may see a task of this tag (its owner is checked by the query). */
export function maySeeTag(who: Principal, tag: string | undefined): boolean {
  return !who.tags || (tag !== undefined && who.tags.includes(tag));
}
