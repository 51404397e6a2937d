import * as React from 'react';

import { IRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { durationText, elapsed, isTerminal, relativeTime, timestamp } from '../format';
import { IRunActions } from './model';

/** The Overview tab: who, when, how long, what ran, its progress while it runs, its error and traceback. */
export function Overview(props: { run: IRun; actions: IRunActions }): JSX.Element {
  const { run, actions } = props;
  const notebookPath = run.notebook_path;
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
      {notebookPath && (
        <button className="jp-mod-styled" onClick={() => actions.openFile(notebookPath)}>
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
