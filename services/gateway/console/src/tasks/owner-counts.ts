/** How many of `items` each owner has, most first (ties by name), for a sentence like "alice (4) and bob (2)". */
export function ownerCounts(items: { owner: string }[]): { owner: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const { owner } of items) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return [...counts].map(([owner, count]) => ({ owner, count })).sort((a, b) => b.count - a.count || a.owner.localeCompare(b.owner));
}

/** "alice", "alice and bob", "alice, bob and carol": a list as a sentence says it. */
export function andList(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
