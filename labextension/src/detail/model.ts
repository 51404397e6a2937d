// The state of one run's view: the run as last read, the open tab, the log read so far, the artifact
// preview, and the actions abort, rerun and delete.

import { ISignal, Signal } from '@lumino/signaling';

import { IArtifact, IPreview, IRun, RunlabClient } from '../api';
import { explain } from '../components/errorText';
import { isTerminal } from '../format';
import { Poller } from '../poll';

export const TABS = ['Overview', 'Inputs', 'Parameters', 'Results', 'Artifacts', 'Iterations', 'Logs'] as const;
export type Tab = (typeof TABS)[number];

/** What the view asks of the application around it. */
export interface IRunActions {
  openFile: (path: string) => void;
  openRun: (uid: string) => void;
  closed: () => void;
}

export class RunModel {
  constructor(
    readonly client: RunlabClient,
    readonly uid: string
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

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    if (this.deleted) {
      return;
    }
    if (!this.run || !isTerminal(this.run.status.state) || this._stale) {
      this._stale = false;
      this.run = await this.client.run(this.uid);
    }
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
      const piece = await this.client.log(this.uid, 0, this.logOffset);
      if (!piece.text) {
        break;
      }
      this.log += piece.text;
      this.logOffset = piece.offset;
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
  private _changed = new Signal<this, void>(this);
}
