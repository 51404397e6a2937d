import * as React from 'react';

import { IArtifact, IRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { Attempts, nextAttempt } from './attempts';
import { durationText, elapsed, isTerminal } from '../format';
import { Chips } from './chips';
import { IRunActions, isNotebookFile, RunModel } from './model';
import { Notes } from './notes';
import { When } from './when';

/** The Overview tab: who, when, how long, what ran and where (host, pid, output path), its labels, parameters
 * and results at a glance, its progress while it runs, its error and traceback; for a notebook run, the
 * executed notebook (read-only, no kernel) and the source notebook; a run with retries, its attempts (and when
 * its next one comes while it waits for it). */
export function Overview(props: { model: RunModel; run: IRun; actions: IRunActions }): JSX.Element {
  const { model, run, actions } = props;
  const notebookPath = run.notebook_path;
  const executed = run.status.artifacts.find(isNotebookFile);
  const outputPath = typeof run.spec.output_path === 'string' ? run.spec.output_path : '';
  const rows: [string, React.ReactNode][] = [
    ['uid', run.metadata.uid],
    ['name', run.metadata.name],
    ['project', run.metadata.project],
    ['notes', <Notes key="notes" model={model} notes={run.metadata.notes ?? ''} />],
    ['state', <StateBadge key="state" state={run.status.state} title={run.status.error} />],
    ['started', <When key="started" iso={run.status.start_time} ago />],
    ['ended', <When key="ended" iso={run.status.end_time} />],
    ['duration', durationText(elapsed(run.status.state, run.status.start_time, run.status.duration))],
    ['function', run.spec.function],
    ['handler', run.spec.handler],
    ['kind', run.metadata.labels.kind ?? ''],
    ['host', run.status.host ?? run.metadata.labels.host ?? ''],
    ['pid', run.status.pid === undefined ? '' : String(run.status.pid)],
    ['output path', <span key="output" className="runlab-value">{outputPath}</span>],
    ['labels', <Chips key="labels" kind="labels" values={run.metadata.labels} empty="none" />],
    ['parameters', <Chips key="params" kind="parameters" values={run.spec.parameters} empty="none" />],
    ['results', <Chips key="results" kind="results" values={run.status.results}
      empty={isTerminal(run.status.state) ? 'none' : 'none yet'} />]
  ];
  if (typeof run.spec.timeout === 'number') {
    rows.push(['timeout', `${run.spec.timeout} s per attempt`]);
  }
  const next = nextAttempt(run);
  if (next) {
    rows.push(['next attempt', <span key="next" className="runlab-next-attempt">{next}</span>]);
  }
  if (run.status.progress && !isTerminal(run.status.state)) {
    const p = run.status.progress;
    rows.push(['progress', `${p.done} of ${p.total} ${p.unit}s`]);
  }
  return (
    <div>
      <table className="runlab-table runlab-overview">
        <tbody>
          {rows.map(([key, value]) => (
            <tr key={key} data-row={key}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(executed || notebookPath) && (
        <div className="runlab-notebook-actions">
          {executed && (
            <button className="jp-mod-styled jp-mod-accept runlab-open-executed" disabled={model.busy}
              title="The copy of the notebook this run executed, with its outputs: read-only, starts no kernel"
              onClick={() => void openExecuted(model, actions, executed)}>
              Open the executed notebook
            </button>
          )}
          {notebookPath && (
            <button className="jp-mod-styled runlab-open-source" title={`${notebookPath}: opens with a kernel`}
              onClick={() => actions.openFile(notebookPath)}>
              Open the source notebook
            </button>
          )}
        </div>
      )}
      {run.status.attempts && run.status.attempts.length > 0 && <Attempts attempts={run.status.attempts} />}
      {run.status.error && (
        <div className="runlab-error-box">
          <div className="runlab-error">{run.status.error}</div>
          {run.status.traceback && <pre className="runlab-pre">{run.status.traceback}</pre>}
        </div>
      )}
    </div>
  );
}

/** Read the executed notebook and show it in the main area; a failure shows in the view's error line. */
async function openExecuted(model: RunModel, actions: IRunActions, artifact: IArtifact): Promise<void> {
  try {
    const preview = await model.readNotebook(artifact);
    if (preview.kind !== 'notebook') {
      throw new Error(preview.text ?? `cannot show ${artifact.key}`);
    }
    const name = artifact.target_path.split('/').pop() ?? artifact.key;
    actions.openNotebook(`${name} (run ${model.uid.slice(0, 8)}, executed)`, preview.notebook,
      { uid: model.uid, iteration: artifact.producer.iteration, key: artifact.key });
  } catch (error) {
    model.showError(error);
  }
}
