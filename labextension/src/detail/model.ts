// The state of one run's view: the run as last read, the open tab, the log read so far, the artifact
// preview, and the actions abort, rerun and delete.

import type { INotebookContent } from '@jupyterlab/nbformat';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISignal, Signal } from '@lumino/signaling';

import { IArtifact, IChart, IPreview, IRun, RunlabClient } from '../api';
import { explain } from '../components/errorText';
import { isTerminal } from '../format';
import type { Following } from '../notify/following';
import { Poller } from '../poll';

export const TABS = ['Overview', 'Inputs', 'Parameters', 'Results', 'Artifacts', 'Iterations', 'Code', 'Logs'] as const;
export type Tab = (typeof TABS)[number];

/** What the view asks of the application around it. */
export interface IRunActions {
  openFile: (path: string) => void;
  /** Open a run's view: its parent (iteration 0, the default) or one iteration of a sweep. */
  openRun: (uid: string, iteration?: number) => void;
  /** Show a notebook read-only in the main area (no kernel); `source` is the artifact it was read from, so
   * that the tab can be read again after a page reload. */
  openNotebook: (title: string, notebook: INotebookContent, source: INotebookSource) => void;
  closed: () => void;
  /** Open the compare view of a sweep's iterations. */
  compareIterations?: (uid: string) => void;
  /** Open the "Rerun with changes" dialog of a run. */
  rerunWithChanges?: (uid: string) => void;
  /** JupyterLab's renderers, which draw the sweep chart and a notebook's outputs. */
  readonly rendermime: IRenderMimeRegistry;
  /** The runs whose end is announced (the header's bell), when notifications are there. */
  readonly following?: Following;
}

/** Where an executed notebook was read from: a run's artifact. */
export interface INotebookSource {
  uid: string;
  iteration: number;
  key: string;
}

/** A preview of an artifact: the server's, or an executed notebook read and drawn here. */
export type RunPreview = IPreview | { kind: 'notebook'; title: string; path: string; notebook: INotebookContent };

/** The largest notebook file drawn in the view; a larger one is opened or downloaded instead. */
export const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;

/** Whether the artifact is an executed notebook (``.ipynb``), which the view draws cell by cell. */
export function isNotebookFile(artifact: IArtifact): boolean {
  return artifact.kind === 'notebook' && artifact.target_path.toLowerCase().endsWith('.ipynb');
}

/** How many items each tab holds, for its label ("Artifacts 3"); a tab that holds no countable items is absent. */
export function tabCounts(run: IRun): Partial<Record<Tab, number>> {
  const counts: Partial<Record<Tab, number>> = {
    Inputs: Object.keys(run.spec.inputs ?? {}).length,
    Parameters: Object.keys(run.spec.parameters ?? {}).length,
    Results: Object.keys(run.status.results ?? {}).length,
    Artifacts: run.status.artifacts.length
  };
  if (run.status.iterations?.length) {
    counts.Iterations = run.status.iterations.length;
  }
  return counts;
}

export class RunModel {
  constructor(
    readonly client: RunlabClient,
    readonly uid: string,
    readonly iteration = 0
  ) {
    this.poller = new Poller({
      interval: 1000,
      maxInterval: 10000,
      task: () => this.refresh(),
      onError: error => {
        this.error = explain(error);
        this._changed.emit();
      }
    });
  }

  readonly poller: Poller;
  run: IRun | null = null;
  error: string | null = null;
  tab: Tab = 'Overview';
  log = '';
  logOffset = 0;
  /** The start time (ISO) of each line of `log` that has one, by the index of its first character. */
  logTimes = new Map<number, string>();
  follow = true;
  preview: RunPreview | null = null;
  previewKey: string | null = null;
  busy = false;
  /** The action under way, for the button that shows its progress. */
  pending: 'abort' | 'rerun' | 'delete' | null = null;
  deleted = false;
  /** Focus goes to the run's heading once it shows (the view was just opened or activated). */
  wantsFocus = true;
  /** A sweep's chart, read again whenever its iteration table or state changes. */
  chart: IChart | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    if (this.deleted) {
      return;
    }
    if (!this.run || !isTerminal(this.run.status.state) || this._stale) {
      this._stale = false;
      this.run = await this.client.run(this.uid, this.iteration);
    }
    await this.readChart();
    if (this.tab === 'Logs') {
      await this.readLog();
    }
    this.error = null;
    this._changed.emit();
    if (this.run && isTerminal(this.run.status.state) && this.tab !== 'Logs') {
      this.poller.stop(); // nothing changes any more
    }
  }

  private async readLog(): Promise<void> {
    // Read until the end: a big log arrives in pieces, each from the last offset.
    for (let i = 0; i < 50; i++) {
      const piece = await this.client.log(this.uid, this.iteration, this.logOffset);
      if (!piece.text) {
        break;
      }
      for (const { at, time } of piece.times ?? []) {
        this.logTimes.set(this.log.length + at, time);
      }
      this.log += piece.text;
      this.logOffset = piece.offset;
    }
  }

  private async readChart(): Promise<void> {
    const run = this.run;
    if (!run || this.iteration !== 0 || !(run.status.iterations?.length || run.spec.hyperparams)) {
      return;
    }
    const key = `${run.status.iterations?.length ?? 0}:${run.status.state}:${run.status.best_iteration}`;
    if (key !== this._chartKey) {
      try {
        this.chart = await this.client.chart(this.uid);
      } catch (error) {
        // the run itself was read: a chart that cannot be had is said where the chart would be
        this.chart = { mime_type: '', spec: null, note: explain(error) };
      }
      this._chartKey = key;
    }
  }

  setTab(tab: Tab): void {
    this.tab = tab;
    this._changed.emit();
    this.poller.start();
    void this.poller.tick();
  }

  async openPreview(artifact: IArtifact): Promise<void> {
    this.previewKey = artifact.key;
    this.preview = null;
    this._changed.emit();
    try {
      this.preview = isNotebookFile(artifact)
        ? await this.readNotebook(artifact)
        : await this.client.preview(this.uid, artifact.producer.iteration, artifact.key);
    } catch (error) {
      this.preview = { kind: 'error', title: artifact.key, path: artifact.target_path, text: explain(error) };
    }
    this._changed.emit();
  }

  /** An executed notebook artifact, read whole from the artifact's file. */
  async readNotebook(artifact: IArtifact): Promise<RunPreview> {
    if (artifact.size !== null && artifact.size > MAX_NOTEBOOK_BYTES) {
      return {
        kind: 'none', title: artifact.key, path: artifact.target_path,
        text: `notebook of ${artifact.size.toLocaleString()} bytes: too large to show here, download it`
      };
    }
    const notebook = await this.client.artifactJson<INotebookContent>(this.uid, artifact.producer.iteration, artifact.key);
    if (!Array.isArray(notebook?.cells)) {
      throw new Error(`${artifact.key} is not a notebook (no cells in ${artifact.target_path})`);
    }
    return { kind: 'notebook', title: artifact.key, path: artifact.target_path, notebook };
  }

  /** Say what went wrong in the view's error line. */
  showError(error: unknown): void {
    this.error = explain(error);
    this._changed.emit();
  }

  /** Keep `notes` as the run's notes; the server's message when they were refused (too long...), else null. */
  async saveNotes(notes: string): Promise<string | null> {
    try {
      const saved = await this.client.setNotes(this.uid, notes);
      if (this.run) {
        this.run = { ...this.run, metadata: { ...this.run.metadata, notes: saved.notes } };
      }
      this._changed.emit();
      return null;
    } catch (error) {
      return explain(error);
    }
  }

  async act(action: 'abort' | 'rerun' | 'delete'): Promise<string | null> {
    this.busy = true;
    this.pending = action;
    this._changed.emit();
    try {
      if (action === 'abort') {
        await this.client.abort(this.uid);
      } else if (action === 'rerun') {
        const uid = (await this.client.rerun(this.uid)).uid;
        await this.client.run(uid); // it exists (a 404 here is an error the view shows)
        return uid;
      } else {
        await this.client.remove(this.uid);
        this.deleted = true;
      }
      this._stale = true;
      this.poller.start();
      return null;
    } catch (error) {
      this.error = explain(error);
      return null;
    } finally {
      this.busy = false;
      this.pending = null;
      this._changed.emit();
    }
  }

  private _stale = false;
  private _chartKey = '';
  private _changed = new Signal<this, void>(this);
}
