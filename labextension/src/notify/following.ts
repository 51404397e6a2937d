// The runs the user follows (the bell in a run's header): their end is announced like that of a run started
// from this JupyterLab. Kept in JupyterLab's state DB, so a page reload keeps them.

import type { IStateDB } from '@jupyterlab/statedb';
import { ISignal, Signal } from '@lumino/signaling';

const KEY = 'runlab-labextension:notifications:following';

/** At most this many followed runs (the server's limit); following one more drops the oldest. */
export const MAX_FOLLOWED = 200;

export class Following {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get uids(): string[] {
    return [...this._uids];
  }

  has(uid: string): boolean {
    return this._uids.includes(uid);
  }

  /** Read the followed runs saved before (once the state DB is there), and save every change from now on. */
  async restore(state: IStateDB): Promise<void> {
    this._state = state;
    const saved = await state.fetch(KEY);
    if (Array.isArray(saved)) {
      this._uids = [...new Set([...saved.map(String), ...this._uids])].slice(-MAX_FOLLOWED);
      this._changed.emit();
    }
  }

  toggle(uid: string): void {
    this.set(this.has(uid) ? this._uids.filter(u => u !== uid) : [...this._uids, uid].slice(-MAX_FOLLOWED));
  }

  /** Stop following runs (those announced: they ended). */
  drop(uids: string[]): void {
    if (uids.some(uid => this.has(uid))) {
      this.set(this._uids.filter(u => !uids.includes(u)));
    }
  }

  private set(uids: string[]): void {
    this._uids = uids;
    void this._state?.save(KEY, uids);
    this._changed.emit();
  }

  private _uids: string[] = [];
  private _state: IStateDB | null = null;
  private _changed = new Signal<this, void>(this);
}
