/** "a, b,,c , a" → ["a", "b", "c"]: a comma-separated tags field as the API takes it. */
export function tagList(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}
