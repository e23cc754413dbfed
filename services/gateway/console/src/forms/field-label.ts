const SPECIAL_WORDS: Record<string, string> = { id: 'ID', ids: 'IDs', url: 'URL', csv: 'CSV', json: 'JSON', xlsx: 'XLSX' };

/** A readable label from a property name: `schoolId` → "School ID", `output_format` → "Output format", `sleepMs` → "Sleep (ms)". */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  let unit = '';
  if (words.length > 1 && words[words.length - 1] === 'ms') {
    words.pop();
    unit = ' (ms)';
  }
  const text = words.map((word, i) => SPECIAL_WORDS[word] ?? (i === 0 ? word[0].toUpperCase() + word.slice(1) : word)).join(' ');
  return text + unit;
}
