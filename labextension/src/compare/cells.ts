// What a cell of the comparison table shows: pure functions (unit-tested with node --test).

import { valueText } from '../format';

/** A value as shown in a cell: numbers rounded (3 decimals, or 3 significant digits below 1; the cell's title
 * has the full value), no value as a dash, the rest as text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return String(Math.abs(value) >= 1 ? Number(value.toFixed(3)) : Number(value.toPrecision(3)));
  }
  return valueText(value);
}

/** For each run, whether its value differs from the first run's (a duration only when the row differs: two
 * measured durations are never equal, and the server decides what counts as the same). */
export function changedFromFirst(row: { field: string; differs: boolean; values: unknown[] }): boolean[] {
  if (row.field === 'duration' && !row.differs) {
    return row.values.map(() => false);
  }
  const texts = row.values.map(v => JSON.stringify(v ?? null));
  return texts.map(text => text !== texts[0]);
}
