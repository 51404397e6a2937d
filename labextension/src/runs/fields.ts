// The Runs view's columns: how a column names a run field in the filter/order language, how its value is
// read from a listed run, and which columns a project gets by default. Pure: unit-tested with node --test.

import type { IFieldList, IRun } from '../api';

/** A picked column: a param, result or label key. */
export interface IColumn {
  section: 'params' | 'results' | 'labels';
  key: string;
}

/** The fixed columns a user can sort by, and the run field each orders by. */
export const FIXED_ORDER: Record<string, string> = { name: 'name', state: 'state', start: 'start', duration: 'duration', uid: 'uid' };

/** A column's name in the filter and order language: `results.accuracy`, or `results."val.acc"` for a key
 * that is not a plain word. */
export function fieldName(column: IColumn): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(column.key)
    ? `${column.section}.${column.key}`
    : `${column.section}.${JSON.stringify(column.key)}`;
}

/** The column's identity (for React keys, saved state and the picker). */
export function columnId(column: IColumn): string {
  return `${column.section}:${column.key}`;
}

/** The column's header text. */
export function columnLabel(column: IColumn): string {
  const prefix = column.section === 'params' ? 'param' : column.section === 'results' ? 'result' : 'label';
  return `${column.key} (${prefix})`;
}

/** The column's value in a listed run (undefined when the run does not have it). */
export function columnValue(run: IRun, column: IColumn): unknown {
  const values: Record<string, unknown> =
    column.section === 'params' ? run.spec.parameters ?? {} : column.section === 'results' ? run.status.results ?? {} : run.metadata.labels ?? {};
  return values[column.key];
}

/** The default columns: the 3 most common results, then the 3 most common params. */
export function defaultColumns(fields: IFieldList): IColumn[] {
  return [
    ...fields.results.slice(0, 3).map(f => ({ section: 'results' as const, key: f.key })),
    ...fields.params.slice(0, 3).map(f => ({ section: 'params' as const, key: f.key }))
  ];
}

/** The uids a shift-click selects: every row between the last clicked one and this one, both included. */
export function rangeOf(uids: string[], from: string | null, to: string): string[] {
  const end = uids.indexOf(to);
  const start = from === null ? -1 : uids.indexOf(from);
  if (start < 0 || end < 0) {
    return [to];
  }
  return uids.slice(Math.min(start, end), Math.max(start, end) + 1);
}

/** A local calendar day (an `<input type=date>` value) as the ISO time its local midnight is; `next` for
 * the midnight that ends it (an "until" day is included). */
export function dayStart(day: string, next = false): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date + (next ? 1 : 0)).toISOString();
}
