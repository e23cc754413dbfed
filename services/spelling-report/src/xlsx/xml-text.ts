/** Characters XML 1.0 cannot hold at all (control characters but tab, newline, return; and DEL): dropped. */
const UNWRITABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
const SPECIAL = /["&'<>]/g;
const ENTITIES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&apos;', '<': '&lt;', '>': '&gt;' };
const NEEDS_WORK = /["&'<>\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

/** Text for an XML element or attribute, escaped as exceljs escapes it (so the files stay as they were). */
export function xmlText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(UNWRITABLE, '').replace(SPECIAL, (ch) => ENTITIES[ch]);
}
