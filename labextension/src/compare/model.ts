// What the compare view shows: runs compared field by field (read once, again on Refresh), which rows are
// shown, and the artifact key picked with each run's preview of it.

import { INotebookContent } from '@jupyterlab/nbformat';
import { ISignal, Signal } from '@lumino/signaling';

import { IComparison, ICompareRow, ICompareRun, IPreview, RunlabClient } from '../api';
import { explain } from '../components/errorText';
import { isNotebookFile, MAX_NOTEBOOK_BYTES, RunPreview } from '../detail/model';

/** What is compared: runs (each `uid` or `uid:iteration`), or one sweep's iterations. */
export type CompareRequest = { uids: string[] } | { uid: string; children: true };

/** How many rows are drawn at first, and how many more each "Show more" adds: a wide comparison of 100 runs
 * and 200 fields would otherwise draw 20,000 cells before the user sees anything. */
export const FIRST_ROWS = 60;
export const MORE_ROWS = 120;

/** One run's side of the artifact picked: its preview, or null when it did not log the key. */
export interface ISideBySide {
  run: ICompareRun;
  preview: RunPreview | null;
}

export class CompareModel {
  constructor(
    private readonly client: RunlabClient,
    readonly request: CompareRequest
  ) {}

  comparison: IComparison | null = null;
  error = '';
  loading = false;
  showAll = false;
  rowLimit = FIRST_ROWS;
  artifactKey = '';
  artifacts: ISideBySide[] | null = null;
  artifactError = '';

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The run keys (`uid:iteration`) of the compared runs. */
  get runKeys(): string[] {
    return (this.comparison?.runs ?? []).map(r => `${r.uid}:${r.iteration}`);
  }

  /** The rows shown: the differing ones, or all of them with "show all"; cut at `rowLimit`. */
  get rows(): ICompareRow[] {
    return this.candidateRows.slice(0, this.rowLimit);
  }

  get candidateRows(): ICompareRow[] {
    const rows = this.comparison?.rows ?? [];
    return this.showAll ? rows : rows.filter(r => r.differs);
  }

  /** The artifact keys of the compared runs (from their artifact.* fields). */
  get artifactKeys(): string[] {
    return (this.comparison?.rows ?? []).filter(r => r.field.startsWith('artifact.')).map(r => r.field.slice(9));
  }

  async load(): Promise<void> {
    this.loading = true;
    this._changed.emit();
    try {
      this.comparison = 'uids' in this.request
        ? await this.client.compare(this.request.uids)
        : await this.client.compare([this.request.uid], true);
      this.error = '';
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.loading = false;
      this._changed.emit();
    }
  }

  setShowAll(all: boolean): void {
    this.showAll = all;
    this.rowLimit = FIRST_ROWS;
    this._changed.emit();
  }

  showMore(): void {
    this.rowLimit += MORE_ROWS;
    this._changed.emit();
  }

  /** Pick an artifact key: every run's preview of it (an executed notebook read whole, as the run view does). */
  async pickArtifact(key: string): Promise<void> {
    this.artifactKey = key;
    this.artifacts = null;
    this.artifactError = '';
    this._changed.emit();
    if (!key) {
      return;
    }
    try {
      const answer = await this.client.compareArtifact(key, this.runKeys);
      const runs = this.comparison?.runs ?? [];
      const sides = await Promise.all(answer.runs.map(async (side, i): Promise<ISideBySide> => {
        const run = runs[i];
        if (!side.artifact || !side.preview) {
          return { run, preview: null };
        }
        return { run, preview: isNotebookFile(side.artifact) ? await this.notebook(side.artifact, side.iteration, side.uid) : side.preview };
      }));
      if (this.artifactKey === key) {
        this.artifacts = sides;
      }
    } catch (error) {
      if (this.artifactKey === key) {
        this.artifactError = explain(error);
      }
    }
    this._changed.emit();
  }

  private async notebook(artifact: { key: string; target_path: string; size: number | null }, iteration: number,
    uid: string): Promise<RunPreview> {
    const base = { title: artifact.key, path: artifact.target_path };
    if (artifact.size !== null && artifact.size > MAX_NOTEBOOK_BYTES) {
      return { ...base, kind: 'none', text: `notebook of ${artifact.size.toLocaleString()} bytes: too large to show here` };
    }
    try {
      const notebook = await this.client.artifactJson<INotebookContent>(uid, iteration, artifact.key);
      if (!Array.isArray(notebook?.cells)) {
        return { ...base, kind: 'error', text: `${artifact.key} is not a notebook (no cells in ${artifact.target_path})` } as IPreview;
      }
      return { ...base, kind: 'notebook', notebook };
    } catch (error) {
      return { ...base, kind: 'error', text: explain(error) };
    }
  }

  private _changed = new Signal<this, void>(this);
}
