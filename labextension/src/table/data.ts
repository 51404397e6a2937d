// The notebook runs table saved in an output (python/runlab/display/bundle.py), and pure helpers over it.

export const RUNS_MIME = 'application/vnd.runlab.runs+json';

export interface ILink {
  label: string;
  href: string;
  ref: { uid?: string; iteration?: number; key?: string; url?: string };
}

export interface ICell {
  text?: string;
  title?: string;
  sub?: string;
  chips?: string[];
  full?: string[];
  extra?: string[];
  links?: ILink[];
}

export interface IRow {
  uid: string;
  iteration: number;
  state: string;
  terminal: boolean;
  cells: Record<string, ICell>;
}

export interface IIterations {
  columns: string[];
  rows: unknown[][];
  best: number | null;
}

export interface ISavedTable {
  version: number;
  columns: string[];
  rows: IRow[];
  total: number;
  page_size: number;
  short: boolean;
  store: string;
  keys?: [string, number][];
  query?: Record<string, unknown>;
  iterations?: IIterations | null;
  plot?: string;
}

/** The one project the table's runs belong to (its listing's, else its rows'), or null for none or several. */
export function tableProject(table: ISavedTable, rows: IRow[]): string | null {
  const listed = table.query?.project;
  if (typeof listed === 'string' && listed) {
    return listed;
  }
  const names = new Set(rows.map(row => row.cells.project?.text).filter(Boolean));
  return names.size === 1 ? [...names][0]! : null;
}

/** How many runs the table can page through from the saved data: all of a listing, else the saved keys. */
export function reachable(table: ISavedTable): number {
  return table.query ? table.total : Math.min(table.total, table.keys?.length ?? table.rows.length);
}

/** The keys of page `page` (from 0) of a table saved by keys. */
export function pageKeys(table: ISavedTable, page: number): [string, number][] {
  const size = Math.max(1, table.page_size);
  return (table.keys ?? []).slice(page * size, (page + 1) * size);
}

/** "1–20 of 1,234 runs". */
export function pagerText(first: number, last: number, total: number): string {
  const n = (value: number) => value.toLocaleString('en');
  return `${n(first)}\u2013${n(last)} of ${n(total)} runs`;
}

/** A value from the store as display text (objects as JSON). */
export function show(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
