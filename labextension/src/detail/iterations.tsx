import * as React from 'react';

import { IRun } from '../api';
import { MimeChart } from '../chart';
import { valueText } from '../format';
import { IRunActions, RunModel } from './model';

/** "24 iterations, best #7": what a sweep's parent is, for its history row; null for other runs. */
export function sweepText(run: IRun): string | null {
  const total = run.status.iteration_count ?? (run.status.iterations ?? []).length; // a list cuts the table
  if (!total && !run.spec.hyperparams) {
    return null;
  }
  const best = run.status.best_iteration;
  const count = `${total} iteration${total === 1 ? '' : 's'}`;
  return best !== null && best !== undefined ? `${count}, best #${best}` : count;
}

/** A sweep parent's mark in a list of runs. */
export function SweepBadge(props: { run: IRun }): JSX.Element | null {
  const text = sweepText(props.run);
  return text ? (
    <span className="runlab-sweep-badge" title="A hyper-parameter sweep: open it for its iterations">
      {text}
    </span>
  ) : null;
}

/** On a sweep's child: which sweep it belongs to, with a link back to it. */
export function SweepOf(props: { run: IRun; actions: IRunActions }): JSX.Element | null {
  const { run, actions } = props;
  const iteration = run.metadata.iteration;
  if (!iteration) {
    return null;
  }
  return (
    <div className="runlab-sweep-of">
      Iteration #{iteration} of the sweep{' '}
      <button className="runlab-link" data-sweep={run.metadata.uid} onClick={() => actions.openRun(run.metadata.uid, 0)}>
        {run.metadata.name} {run.metadata.uid.slice(0, 8)}
      </button>
      <span className="runlab-muted"> (abort, rerun and delete act on the whole sweep: open it for them)</span>
    </div>
  );
}

/** The Iterations tab of a sweep: its chart, then one row per iteration, sortable by any column, the best
 * one starred; a row opens that iteration's own run view. */
export function Iterations(props: { model: RunModel; run: IRun; actions: IRunActions }): JSX.Element {
  const { model, run, actions } = props;
  const rows = run.status.iterations ?? [];
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
  const sortBy = (column: string) =>
    setSort({ column, descending: sort?.column === column ? !sort.descending : false });
  const best = run.status.best_iteration;
  const open = (row: Record<string, unknown>) => {
    if (typeof row.iter === 'number') {
      actions.openRun(run.metadata.uid, row.iter);
    }
  };
  const chart = model.chart;
  const compare = actions.compareIterations;
  return (
    <div className="runlab-sweep">
      {compare && rows.length > 1 && (
        <div className="runlab-sweep-actions">
          <button className="jp-mod-styled jp-mod-accept runlab-compare-iterations" onClick={() => compare(run.metadata.uid)}
            title="Every iteration side by side: params, results, charts and artifacts">
            Compare iterations
          </button>
        </div>
      )}
      {chart?.spec ? (
        <MimeChart className="runlab-sweep-chart" rendermime={actions.rendermime} mimeType={chart.mime_type}
          spec={chart.spec} />
      ) : (
        chart?.note && <div className="runlab-empty runlab-sweep-chart-note">No chart: {chart.note}.</div>
      )}
      <table className="runlab-table runlab-iterations">
        <thead>
          <tr>
            {columns.map(c => (
              <th key={c} tabIndex={0} className="runlab-sortable" onClick={() => sortBy(c)}
                onKeyDown={e => e.key === 'Enter' && sortBy(c)}>
                {c}
                {sort?.column === c ? (sort.descending ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row, i) => (
            <tr key={i} className={`runlab-iteration-row${row.iter === best ? ' runlab-best' : ''}`}
              data-iteration={valueText(row.iter)} role="link" tabIndex={0}
              title={`Open iteration ${valueText(row.iter)}${row.iter === best ? ' (the best)' : ''}`}
              onClick={() => open(row)} onKeyDown={e => (e.key === 'Enter' || e.key === ' ') && open(row)}>
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
    </div>
  );
}
