// One run in the main area: tabs for its overview, inputs, parameters, results, artifacts (with previews),
// iterations (sweeps) and its log (tailed live), and the actions abort, rerun, delete, copy uid.

import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { UseSignal } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IArtifact, IPreview, IRun, RunlabClient } from './api';
import { explain } from './components/errorText';
import { StateBadge } from './components/stateBadge';
import { durationText, elapsed, isTerminal, relativeTime, timestamp, valueText } from './format';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';

export const TABS = ['Overview', 'Inputs', 'Parameters', 'Results', 'Artifacts', 'Iterations', 'Logs'] as const;
export type Tab = (typeof TABS)[number];

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

  async readLog(): Promise<void> {
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

function KeyValues(props: { values: Record<string, unknown>; empty: string }): JSX.Element {
  const entries = Object.entries(props.values ?? {});
  if (!entries.length) {
    return <div className="runlab-empty">{props.empty}</div>;
  }
  return (
    <table className="runlab-table">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td className="runlab-value">{valueText(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Overview(props: { run: IRun; actions: IRunActions; notebookPath: string | null }): JSX.Element {
  const { run } = props;
  const rows: [string, React.ReactNode][] = [
    ['uid', run.metadata.uid],
    ['name', run.metadata.name],
    ['project', run.metadata.project],
    ['state', <StateBadge key="state" state={run.status.state} title={run.status.error} />],
    ['started', `${timestamp(run.status.start_time)} (${relativeTime(run.status.start_time)})`],
    ['ended', timestamp(run.status.end_time)],
    ['duration', durationText(elapsed(run.status.state, run.status.start_time, run.status.duration))],
    ['function', run.spec.function],
    ['handler', run.spec.handler],
    ['kind', run.metadata.labels.kind ?? ''],
    ['labels', Object.entries(run.metadata.labels).map(([k, v]) => `${k}=${v}`).join(', ')]
  ];
  if (run.status.progress && !isTerminal(run.status.state)) {
    const p = run.status.progress;
    rows.push(['progress', `${p.done} of ${p.total} ${p.unit}s`]);
  }
  return (
    <div>
      <table className="runlab-table runlab-overview">
        <tbody>
          {rows.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.notebookPath && (
        <button className="jp-mod-styled" onClick={() => props.actions.openFile(props.notebookPath!)}>
          Open the notebook that ran it
        </button>
      )}
      {run.status.error && (
        <div className="runlab-error-box">
          <div className="runlab-error">{run.status.error}</div>
          {run.status.traceback && <pre className="runlab-pre">{run.status.traceback}</pre>}
        </div>
      )}
    </div>
  );
}

function PreviewView(props: { preview: IPreview | null; loadingKey: string | null }): JSX.Element | null {
  const { preview } = props;
  if (!props.loadingKey) {
    return null;
  }
  if (!preview) {
    return <div className="runlab-muted">loading {props.loadingKey}…</div>;
  }
  switch (preview.kind) {
    case 'table': {
      const shape = preview.shape ?? [];
      return (
        <div className="runlab-preview" data-kind="table">
          <div className="runlab-muted">
            {shape[0] ?? '?'} rows × {shape[1] ?? preview.columns?.length} columns
            {preview.rows && shape[0] && preview.rows.length < shape[0] ? ` (first ${preview.rows.length})` : ''}
          </div>
          <table className="runlab-table">
            <thead>
              <tr>
                {(preview.columns ?? []).map(c => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(preview.rows ?? []).map((row, i) => (
                <tr key={i}>
                  {row.map((v, j) => (
                    <td key={j}>{valueText(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'image':
      return preview.src?.startsWith('data:image/') ? (
        <div className="runlab-preview" data-kind="image">
          <img className="runlab-image" src={preview.src} alt={preview.title} />
        </div>
      ) : null;
    case 'html':
      return (
        <div className="runlab-preview" data-kind="html">
          <iframe className="runlab-frame" sandbox="allow-scripts" srcDoc={preview.html} title={preview.title} />
        </div>
      );
    default:
      return (
        <div className="runlab-preview" data-kind={preview.kind}>
          {preview.note && <div className="runlab-muted">{preview.note}</div>}
          <pre className={preview.kind === 'error' ? 'runlab-pre runlab-error' : 'runlab-pre'}>{preview.text}</pre>
        </div>
      );
  }
}

function Artifacts(props: { model: RunModel; actions: IRunActions }): JSX.Element {
  const { model, actions } = props;
  const artifacts = (model.run?.status.artifacts ?? []) as (IArtifact & { root_path?: string | null })[];
  if (!artifacts.length) {
    return <div className="runlab-empty">This run logged no artifacts.</div>;
  }
  return (
    <div>
      <table className="runlab-table runlab-artifacts">
        <thead>
          <tr>
            <th>key</th>
            <th>kind</th>
            <th>size</th>
            <th>path</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {artifacts.map(a => (
            <tr key={a.key} className={model.previewKey === a.key ? 'runlab-selected' : ''}>
              <td>
                <button className="runlab-link" data-artifact={a.key} onClick={() => void model.openPreview(a)}>
                  {a.key}
                </button>
              </td>
              <td>{a.kind}</td>
              <td>{a.size === null ? '' : `${a.size.toLocaleString()} B`}</td>
              <td className="runlab-path" title={a.target_path}>
                {a.target_path}
              </td>
              <td className="runlab-actions">
                <a href={model.client.artifactUrl(model.uid, a.producer.iteration, a.key, true)} download>
                  Download
                </a>
                {a.root_path && (
                  <button className="runlab-link" onClick={() => actions.openFile(a.root_path!)}>
                    Open
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <PreviewView preview={model.preview} loadingKey={model.previewKey} />
    </div>
  );
}

function Iterations(props: { run: IRun }): JSX.Element {
  const rows = props.run.status.iterations ?? [];
  const [sort, setSort] = React.useState<{ column: string; descending: boolean } | null>(null);
  if (!rows.length) {
    return <div className="runlab-empty">Not a hyper-parameter run: no iterations.</div>;
  }
  const columns = Array.from(new Set(rows.flatMap(r => Object.keys(r))));
  const sorted = [...rows];
  if (sort) {
    const sign = sort.descending ? -1 : 1;
    sorted.sort((a, b) => {
      const x = a[sort.column];
      const y = b[sort.column];
      if (typeof x === 'number' && typeof y === 'number') {
        return sign * (x - y);
      }
      return sign * valueText(x).localeCompare(valueText(y), undefined, { numeric: true });
    });
  }
  const best = props.run.status.best_iteration;
  return (
    <table className="runlab-table runlab-iterations">
      <thead>
        <tr>
          {columns.map(c => (
            <th key={c} tabIndex={0} className="runlab-sortable"
              onClick={() => setSort({ column: c, descending: sort?.column === c ? !sort.descending : false })}
              onKeyDown={e => e.key === 'Enter' &&
                setSort({ column: c, descending: sort?.column === c ? !sort.descending : false })}>
              {c}
              {sort?.column === c ? (sort.descending ? ' ▼' : ' ▲') : ''}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((row, i) => (
          <tr key={i} className={row.iter === best ? 'runlab-best' : ''} title={row.iter === best ? 'best iteration' : ''}>
            {columns.map(c => (
              <td key={c}>
                {valueText(row[c])}
                {c === 'iter' && row.iter === best ? ' ★' : ''}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Logs(props: { model: RunModel }): JSX.Element {
  const { model } = props;
  const ref = React.useRef<HTMLPreElement>(null);
  React.useEffect(() => {
    if (model.follow && ref.current) {
      ref.current.scrollTop = ref.current.scrollHeight;
    }
  });
  const live = model.run && !isTerminal(model.run.status.state);
  return (
    <div className="runlab-logs">
      <label className="runlab-follow">
        <input type="checkbox" checked={model.follow} onChange={e => {
          model.follow = e.target.checked;
          model.setTab('Logs');
        }} />
        Follow
      </label>
      {live && <span className="runlab-muted"> live: new output appears as the run writes it</span>}
      <pre ref={ref} className="runlab-pre runlab-log" data-offset={model.logOffset}>
        {model.log || (live ? 'waiting for output…' : 'This run wrote nothing.')}
      </pre>
    </div>
  );
}

function RunView(props: { model: RunModel; actions: IRunActions }): JSX.Element {
  const { model, actions } = props;
  const run = model.run;
  if (model.deleted) {
    return <div className="runlab-empty">Run {model.uid} was deleted.</div>;
  }
  if (!run) {
    return <div className="runlab-run">{model.error ? <div className="runlab-error">{model.error}</div> : 'loading…'}</div>;
  }
  const terminal = isTerminal(run.status.state);
  const confirmDelete = async () => {
    const answer = await showDialog({
      title: 'Delete this run?',
      body: `Run ${run.metadata.name} (${run.metadata.uid.slice(0, 8)}) will be deleted with its log, ` +
        `its ${run.status.artifacts.length} artifact(s) and their files. This cannot be undone.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (answer.button.accept && (await model.act('delete')) === null && model.deleted) {
      actions.closed();
    }
  };
  const tabs = TABS.filter(t => t !== 'Iterations' || (run.status.iterations ?? []).length > 0);
  return (
    <div className="runlab-run" data-uid={run.metadata.uid} data-state={run.status.state}>
      <div className="runlab-run-header">
        <h2 title={run.metadata.uid}>
          {run.metadata.name} <span className="runlab-uid">{run.metadata.uid.slice(0, 8)}</span>
        </h2>
        <StateBadge state={run.status.state} title={run.status.error} />
        <div className="runlab-toolbar">
          <button className="jp-mod-styled" onClick={() => Clipboard.copyToSystem(run.metadata.uid)}>
            Copy uid
          </button>
          {!terminal && (
            <button className="jp-mod-styled jp-mod-warn" disabled={model.busy} onClick={() => void model.act('abort')}>
              Abort
            </button>
          )}
          <button className="jp-mod-styled" disabled={model.busy} onClick={async () => {
            const uid = await model.act('rerun');
            if (uid) {
              actions.openRun(uid);
            }
          }}>
            Rerun
          </button>
          <button className="jp-mod-styled jp-mod-warn" disabled={model.busy || !terminal} onClick={confirmDelete}
            title={terminal ? 'Delete the run' : 'Abort the run before deleting it'}>
            Delete
          </button>
        </div>
      </div>
      {model.error && (
        <div className="runlab-error" role="alert">
          {model.error}
        </div>
      )}
      <div className="runlab-tabs" role="tablist">
        {tabs.map(tab => (
          <button key={tab} role="tab" aria-selected={model.tab === tab}
            className={model.tab === tab ? 'runlab-tab runlab-tab-active' : 'runlab-tab'}
            onClick={() => model.setTab(tab)}>
            {tab}
          </button>
        ))}
      </div>
      <div className="runlab-tab-body" role="tabpanel">
        {model.tab === 'Overview' && (
          <Overview run={run} actions={actions} notebookPath={(run as unknown as { notebook_path?: string }).notebook_path ?? null} />
        )}
        {model.tab === 'Inputs' && <KeyValues values={run.spec.inputs} empty="No inputs." />}
        {model.tab === 'Parameters' && <KeyValues values={run.spec.parameters} empty="No parameters." />}
        {model.tab === 'Results' && <KeyValues values={run.status.results} empty="No results (yet)." />}
        {model.tab === 'Artifacts' && <Artifacts model={model} actions={actions} />}
        {model.tab === 'Iterations' && <Iterations run={run} />}
        {model.tab === 'Logs' && <Logs model={model} />}
      </div>
    </div>
  );
}

/** The main-area widget of one run: polls while it is visible and the run is not finished. */
export class RunPanel extends PolledReactWidget {
  constructor(
    readonly model: RunModel,
    private readonly actions: IRunActions
  ) {
    super();
    this.addClass('runlab-run-panel');
    this.id = `runlab-run-${model.uid}`;
    this.title.label = `Run ${model.uid.slice(0, 8)}`;
    this.title.closable = true;
    model.changed.connect(() => {
      if (model.run) {
        this.title.label = `${model.run.metadata.name} ${model.uid.slice(0, 8)}`;
        this.title.caption = `${model.run.metadata.name} (${model.uid}): ${model.run.status.state}`;
      }
    });
  }

  protected get poller(): Poller {
    return this.model.poller;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>{() => <RunView model={this.model} actions={this.actions} />}</UseSignal>
    );
  }
}
