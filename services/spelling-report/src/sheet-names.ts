/** Excel sheet names: at most 31 characters, none of []:*?/\, unique ignoring case. */
export function uniqueSheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, '-').slice(0, 31) || 'Sheet';
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base.slice(0, 31 - String(n).length - 1)}-${n}`;
  taken.add(name.toLowerCase());
  return name;
}
