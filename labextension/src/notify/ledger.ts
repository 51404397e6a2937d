// Which ended runs were announced already: the end time the next question starts from, and the runs
// announced in the last minute (the question looks a minute back, so that a run whose end was written a
// moment late is not missed; those already announced are skipped). Pure (unit-tested with node --test);
// the plugin keeps it in JupyterLab's state DB and in localStorage (shared by the tabs of this browser).

import { IEndedRun } from './texts';

/** Seconds the question looks back before the cursor. */
export const OVERLAP = 60;

export interface ILedgerState {
  /** The newest end time announced (server epoch seconds), or null before the first answer. */
  cursor: number | null;
  /** No question looks back before this (set when a catch-up listed only the newest runs). */
  floor: number;
  /** uid -> end time (epoch seconds) of the runs announced within OVERLAP of the cursor. */
  recent: Record<string, number>;
}

export class Ledger {
  constructor(state?: Partial<ILedgerState> | null) {
    this.cursor = typeof state?.cursor === 'number' ? state.cursor : null;
    this.floor = typeof state?.floor === 'number' ? state.floor : 0;
    this.recent = { ...(state?.recent ?? {}) };
  }

  cursor: number | null;
  floor: number;
  recent: Record<string, number>;

  /** The `since` of the next question, or null before the first answer (which only sets the cursor). */
  get since(): number | null {
    return this.cursor === null ? null : Math.max(this.floor, this.cursor - OVERLAP);
  }

  /** The runs of an answer not announced before, oldest first; they count as announced from now on.
   * `more` is the answer's count of runs it left out (the server lists the newest): some may be runs
   * announced before, which the answer had no room for; `leftOut` is set to those that were not. When
   * there are any, nothing before the answer's cursor is asked again (they are told as a count). */
  take(runs: IEndedRun[], cursor: number, more = 0): IEndedRun[] {
    const knownBefore = Object.keys(this.recent).length; // the runs the question's minute may list again
    const fresh = runs.filter(run => !(run.uid in this.recent));
    const knownListed = runs.length - fresh.length;
    this.leftOut = Math.max(0, more - Math.max(0, knownBefore - knownListed));
    for (const run of fresh) {
      this.recent[run.uid] = Date.parse(run.end_time) / 1000;
    }
    this.cursor = Math.max(this.cursor ?? cursor, cursor);
    if (this.leftOut > 0) {
      this.floor = this.cursor;
    }
    this.prune();
    return fresh;
  }

  /** How many runs the last answer left out that were not announced before (see `take`). */
  leftOut = 0;

  /** How many announced runs the next question may list again (a question asks for this many more). */
  get known(): number {
    return Object.keys(this.recent).length;
  }

  /** Take in what another tab (or an older copy of this state) announced. */
  merge(other: Partial<ILedgerState> | null): void {
    if (!other) {
      return;
    }
    const theirs = new Ledger(other);
    if (theirs.cursor !== null) {
      this.cursor = Math.max(this.cursor ?? theirs.cursor, theirs.cursor);
    }
    this.floor = Math.max(this.floor, theirs.floor);
    this.recent = { ...this.recent, ...theirs.recent };
    this.prune();
  }

  toJSON(): ILedgerState {
    return { cursor: this.cursor, floor: this.floor, recent: { ...this.recent } };
  }

  /** Forget the runs the next question cannot list again. */
  private prune(): void {
    const since = this.since;
    if (since === null) {
      return;
    }
    for (const [uid, end] of Object.entries(this.recent)) {
      if (!(end > since - 1)) {  // a second of slack for the ISO time's rounding
        delete this.recent[uid];
      }
    }
  }
}
