// The state of one run's view: the run as last read, the open tab, the log read so far, the artifact
// preview, and the actions abort, rerun and delete.

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISignal, Signal } from '@lumino/signaling';

import { IArtifact, IChart, IPreview, IRun, RunlabClient } from '../api';
import { explain } from '../components/errorText';
import { isTerminal } from '../format';
import { Poller } from '../poll';

export const TABS = ['Overview', 'Inputs', 'Parameters', 'Results', 'Artifacts', 'Iterations', 'Logs'] as const;
export type Tab = (typeof TABS)[number];

/** What the view asks of the application around it. */
export interface IRunActions {
  openFile: (path: string) => void;
  /** Open a run's view: its parent (iteration 0, the default) or one iteration of a sweep. */
  openRun: (uid: string, iteration?: number) => void;
  closed: () => void;
  /** JupyterLab's renderers, which draw the sweep chart (null when the application has none). */
  rendermime: IRenderMimeRegistry | null;
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
  follow = true;
  preview: IPreview | null = null;
  previewKey: string | null = null;
  busy = false;
  deleted = false;
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
      this.preview = await this.client.preview(this.uid, artifact.producer.iteration, artifact.key);
    } catch (error) {
      this.preview = { kind: 'error', title: artifact.key, path: artifact.target_path, text: explain(error) };
    }
    this._changed.emit();
  }

  async act(action: 'abort' | 'rerun' | 'delete'): Promise<string | null> {
    this.busy = true;
    this._changed.emit();
    try {
      if (action === 'abort') {
        await this.client.abort(this.uid);
      } else if (action === 'rerun') {
        return (await this.client.rerun(this.uid)).uid;
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
      this._changed.emit();
    }
  }

  private _stale = false;
  private _chartKey = '';
  private _changed = new Signal<this, void>(this);
}
