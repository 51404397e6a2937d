// Searching a run's log: where a text occurs in it. Pure: unit-tested with node --test.

/** Where `query` occurs in `text`, ignoring case, as start offsets in `text` (none for an empty query); matches
 * do not overlap. A case-insensitive pattern, not lower-cased copies: lower-casing can change a string's
 * length, and the offsets must be those of the text shown. */
export function findAll(text: string, query: string): number[] {
  const found: number[] = [];
  if (!query) {
    return found;
  }
  const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    found.push(match.index);
  }
  return found;
}
