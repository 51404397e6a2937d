// The Runs view's state: what it lists (project, job, filter, order, state/label/date filters, page), the
// page of runs and the sweeps opened in it, the picked columns and the selected runs. Every change asks the
// server again; a refused filter keeps the rows of the last one that worked.

import { ISignal, Signal } from '@lumino/signaling';

import { IFieldList, IRun, RunlabApiError, RunlabClient } from '../api';
import { explain } from '../components/errorText';
import { isTerminal } from '../format';
import { Poller } from '../poll';
import { columnId, defaultColumns, IColumn, rangeOf } from './fields';

export const PAGE_SIZE = 50;

/** What a reload restores: the listing's definition, not its rows. */
export interface IRunsState {
  project: string;
  job?: string;
  filter?: string;
  order?: { by: string; descending: boolean } | null;
  columns?: IColumn[] | null;
  state?: string;
  label?: string;
  since?: string;
  until?: string;
}

export class RunsModel {
  constructor(
    readonly client: RunlabClient,
    state: IRunsState
  ) {
    this.project = state.project;
    this.job = state.job ?? '';
    this.filter = this.draft = state.filter ?? '';
    this.order = state.order ?? null;
    this.columns = state.columns ?? null;
    this.state = state.state ?? '';
    this.label = state.label ?? '';
    this.since = state.since ?? '';
    this.until = state.until ?? '';
    // a page showing a live run is asked for again while it is shown
    this.poller = new Poller({ interval: 2000, maxInterval: 20000, task: () => this.refreshLive() });
  }

  readonly project: string;
  readonly job: string;
  readonly poller: Poller;
  /** The filter the rows match, and the text in the box (a refused one stays there, with `filterError`). */
  filter: string;
  draft: string;
  filterError: string | null = null;
  /** Any other failure (the server, a bad date or label): shown above the table. */
  error: string | null = null;
  order: { by: string; descending: boolean } | null;
  columns: IColumn[] | null;
  state: string;
  label: string;
  since: string;
  until: string;
  fields: IFieldList | null = null;
  runs: IRun[] = [];
  offset = 0;
  nextOffset: number | null = null;
  loading = false;
  loaded = false;
  /** A change the user asked for (page, filter, order...) is on its way: until its rows come, the shown rows,
   * range and offset stay those of the last answer, and paging and select-page wait. */
  changing = false;
  /** Sweep parents opened in the table, with their children once fetched. */
  expanded = new Map<string, IRun[] | null>();
  selected = new Set<string>();
  jumpMessage: string | null = null;

  /** Emitted on every change of what is shown. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when what a reload restores changed. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  get saved(): IRunsState {
    return {
      project: this.project, job: this.job || undefined, filter: this.filter, order: this.order,
      columns: this.columns, state: this.state, label: this.label, since: this.since, until: this.until
    };
  }

  /** The picked columns (the project's most common results and params until the user picks). */
  get shownColumns(): IColumn[] {
    return this.columns ?? (this.fields ? defaultColumns(this.fields) : []);
  }

  async start(): Promise<void> {
    await Promise.all([this.loadFields(), this.load()]);
  }

  async loadFields(): Promise<void> {
    try {
      this.fields = await this.client.fields(this.project);
    } catch (error) {
      this.error = explain(error);
    }
    this._changed.emit();
  }

  setDraft(text: string): void {
    this.draft = text;
    this._changed.emit();
  }

  /** Apply the filter box's text (Enter): on a 400 the message shows under it and the rows stay. */
  async applyFilter(): Promise<void> {
    await this.reload({ filter: this.draft.trim() }, true);
  }

  async setState(state: string): Promise<void> {
    await this.reload({ state });
  }

  async setLabel(label: string): Promise<void> {
    await this.reload({ label: label.trim() });
  }

  async setDates(since: string, until: string): Promise<void> {
    await this.reload({ since, until });
  }

  /** Sort by a column: a first click orders descending (the best result, the newest start, first), the next
   * click reverses it. */
  async sortBy(by: string): Promise<void> {
    const descending = this.order?.by === by ? !this.order.descending : true;
    await this.reload({ order: { by, descending } });
  }

  async page(offset: number): Promise<void> {
    await this.reload({ offset: Math.max(0, offset) });
  }

  toggleColumn(column: IColumn): void {
    const current = this.shownColumns;
    const id = columnId(column);
    this.columns = current.some(c => columnId(c) === id) ? current.filter(c => columnId(c) !== id) : [...current, column];
    this._changed.emit();
    this._stateChanged.emit();
  }

  async toggleSweep(uid: string): Promise<void> {
    if (this.expanded.has(uid)) {
      this.expanded.delete(uid);
      this._changed.emit();
      return;
    }
    this.expanded.set(uid, null);
    this._changed.emit();
    await this.loadChildren(uid);
  }

  /** Select or unselect one run; with shift, every run of the page between the last clicked one and it. */
  select(uid: string, on: boolean, range: boolean): void {
    const uids = range ? rangeOf(this.runs.map(r => r.metadata.uid), this._anchor, uid) : [uid];
    for (const one of uids) {
      if (on) {
        this.selected.add(one);
      } else {
        this.selected.delete(one);
      }
    }
    this._anchor = uid;
    this._changed.emit();
  }

  selectPage(on: boolean): void {
    if (this.changing) {
      return; // the rows shown are about to be replaced
    }
    for (const run of this.runs) {
      if (on) {
        this.selected.add(run.metadata.uid);
      } else {
        this.selected.delete(run.metadata.uid);
      }
    }
    this._changed.emit();
  }

  /** Take runs out of the selection (those deleted). */
  unselect(uids: string[]): void {
    for (const uid of uids) {
      this.selected.delete(uid);
    }
    this._changed.emit();
  }

  clearSelection(): void {
    this.selected.clear();
    this._anchor = null;
    this._changed.emit();
  }

  /** The one run whose uid starts with `prefix` (6 characters or more), or null with `jumpMessage` saying why. */
  async findUid(prefix: string): Promise<string | null> {
    const text = prefix.trim();
    this.jumpMessage = null;
    if (!/^[0-9A-Za-z_-]{6,}$/.test(text)) {
      this.jumpMessage = 'Give 6 or more characters of a uid (letters, digits, - or _).';
    } else {
      try {
        const page = await this.client.runs({ project: this.project, filter: `uid like '${text}%'`, limit: 2 });
        if (page.runs.length === 1) {
          this._changed.emit();
          return page.runs[0].metadata.uid;
        }
        this.jumpMessage = page.runs.length
          ? `More than one run's uid starts with ${text}: give more characters.`
          : `No run of ${this.project} has a uid starting with ${text}.`;
      } catch (error) {
        this.jumpMessage = explain(error);
      }
    }
    this._changed.emit();
    return null;
  }

  /** The page asked again (the poller, while it shows a run that has not ended). */
  private async refreshLive(): Promise<void> {
    const children = [...this.expanded.values()].flatMap(c => c ?? []);
    if (this.loaded && !this.changing && [...this.runs, ...children].some(r => !isTerminal(r.status.state))) {
      await this.load();
    }
  }

  private async reload(change: Partial<IRunsState> & { offset?: number }, filterBox = false): Promise<void> {
    const before = this.filter;
    const { offset, ...listing } = change;
    Object.assign(this, listing);
    // the offset asked for is only the shown one once its rows came
    this.changing = true;
    const mine = this._ticket + 1; // the ticket load() takes
    const ok = await this.load(filterBox, offset ?? 0);
    if (mine !== this._ticket) {
      return; // a later request owns what is shown
    }
    if (!ok && filterBox) {
      // the rows are those of the last filter that worked: so is the saved state
      this.filter = before;
    }
    this._stateChanged.emit();
  }

  private query(offset: number): Record<string, string | number | string[]> {
    const query: Record<string, string | number | string[]> = { project: this.project, limit: PAGE_SIZE, offset };
    if (this.job) {
      query.name = this.job;
    }
    if (this.filter) {
      query.filter = this.filter;
    }
    if (this.order) {
      // ties (a result most runs lack, say) keep the newest first
      const order = `${this.order.by} ${this.order.descending ? 'desc' : 'asc'}`;
      query.order_by = this.order.by === 'start' ? [order] : [order, 'start desc'];
    }
    if (this.state) {
      query.state = this.state;
    }
    if (this.label) {
      query.label = this.label;
    }
    if (this.since) {
      query.since = this.since;
    }
    if (this.until) {
      query.until = this.until;
    }
    return query;
  }

  /** Ask for the page at `offset` (the shown one by default); true when it came. A 400 from the filter box
   * shows under it, any other error above. An answer overtaken by a later request is dropped. */
  async load(filterBox = false, offset = this.offset): Promise<boolean> {
    const ticket = ++this._ticket;
    this.loading = true;
    this._changed.emit();
    try {
      const page = await this.client.runs(this.query(offset));
      if (ticket !== this._ticket) {
        return false;
      }
      this.runs = page.runs;
      this.offset = page.offset;
      this.nextOffset = page.next_offset;
      this.error = null;
      if (filterBox || this.draft.trim() === this.filter) {
        // a refused filter's message stays while its text is in the box (the rows are not its rows)
        this.filterError = null;
      }
      await Promise.all([...this.expanded.keys()].map(uid => this.loadChildren(uid, false)));
      return true;
    } catch (error) {
      if (ticket !== this._ticket) {
        return false;
      }
      if (filterBox && error instanceof RunlabApiError && error.status === 400) {
        this.filterError = error.message;
      } else {
        this.error = explain(error);
      }
      return false;
    } finally {
      if (ticket === this._ticket) {
        this.loading = false;
        this.changing = false;
        this.loaded = true;
        this._changed.emit();
      }
    }
  }

  private async loadChildren(uid: string, emit = true): Promise<void> {
    try {
      const page = await this.client.runs({
        filter: `uid == '${uid}' and iteration > 0`, iterations: 1, order_by: 'iteration asc', limit: 500
      });
      if (this.expanded.has(uid)) {
        this.expanded.set(uid, page.runs);
      }
    } catch (error) {
      this.error = explain(error);
    }
    if (emit) {
      this._changed.emit();
    }
  }

  private _anchor: string | null = null;
  private _ticket = 0;
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, void>(this);
}

