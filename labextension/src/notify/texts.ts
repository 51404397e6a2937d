// What an end-of-run notification says, and whether a run is announced at all. Pure functions (unit-tested
// with node --test).

import { durationText } from '../format';

/** A run that ended, as GET /runlab/api/ended lists it (python/runlab/server/openapi.yaml, EndedRun). */
export interface IEndedRun {
  uid: string;
  project: string;
  name: string;
  state: 'completed' | 'error' | 'aborted';
  start_time: string;
  end_time: string;
  duration: number | null;
  error: string | null;
  sweep: { completed: number; error: number; aborted: number; total: number; best_iteration: number | null } | null;
  origin: 'kernel' | 'followed';
}

/** The notification settings (schema/notifications.json). */
export interface INotifySettings {
  enabled: boolean;
  /** Seconds: a run that completed or was aborted sooner is not announced. */
  minDuration: number;
  onlyErrors: boolean;
}

export const DEFAULT_SETTINGS: INotifySettings = { enabled: true, minDuration: 30, onlyErrors: false };

/** Whether the run went wrong: it failed, or (a sweep) some of its iterations did. */
export function failed(run: IEndedRun): boolean {
  return run.state === 'error' || (run.sweep !== null && run.sweep.error > 0);
}

/** Whether the settings let the run be announced. A failed run is announced whatever its duration, and so
 * is a run the user follows (they asked for it); a quick run that completed was seen ending anyway. */
export function announced(run: IEndedRun, settings: INotifySettings): boolean {
  if (!settings.enabled) {
    return false;
  }
  if (settings.onlyErrors) {
    return failed(run);
  }
  return failed(run) || run.origin === 'followed' || (run.duration ?? 0) >= settings.minDuration;
}

/** "trainer-train completed in 2 min 3 s", "trainer-train failed after 4.0 s: ValueError: ...",
 * "trainer-train aborted", or a sweep's "trainer-train: 24 done, 1 failed (best #7)". */
export function message(run: IEndedRun): string {
  if (run.sweep) {
    const { completed, error, aborted, best_iteration: best } = run.sweep;
    const parts = [`${completed} done`, ...(error ? [`${error} failed`] : []), ...(aborted ? [`${aborted} aborted`] : [])];
    const outcome = `${run.name}: ${parts.join(', ')}${best !== null && best !== undefined ? ` (best #${best})` : ''}`;
    return run.state === 'completed' ? outcome : `${outcome}; the sweep ${run.state === 'error' ? 'failed' : 'was aborted'}`;
  }
  const took = durationText(run.duration);
  if (run.state === 'completed') {
    return took ? `${run.name} completed in ${took}` : `${run.name} completed`;
  }
  if (run.state === 'error') {
    const after = took ? ` after ${took}` : '';
    return run.error ? `${run.name} failed${after}: ${run.error}` : `${run.name} failed${after}`;
  }
  return `${run.name} aborted`;
}

/** "12 more runs ended while you were away" (on opening) or "12 more runs ended" (a burst while open). */
export function moreMessage(count: number, away: boolean): string {
  const runs = count === 1 ? '1 more run' : `${count} more runs`;
  return away ? `${runs} ended while you were away` : `${runs} ended`;
}
