// The comparison table: runs as columns, fields as rows (the differing ones unless all are asked for), the
// best value of each result starred, values that differ from the first run's highlighted.

import * as React from 'react';

import { ICompareRow, ICompareRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { valueText } from '../format';
import { cellText, changedFromFirst } from './cells';

function RunHeader(props: { run: ICompareRun; openRun: (uid: string, iteration: number) => void }): JSX.Element {
  const { run } = props;
  const short = `${run.uid.slice(0, 8)}${run.iteration ? ` #${run.iteration}` : ''}`;
  return (
    <th className="runlab-compare-run" data-uid={run.uid} data-iteration={run.iteration} title={run.label}>
      <button className="runlab-link runlab-compare-name" onClick={() => props.openRun(run.uid, run.iteration)}
        title={`Open ${run.label}`}>
        {run.name}
      </button>
      <span className="runlab-compare-uid">{short}</span>
      <StateBadge state={run.state} />
    </th>
  );
}

function Row(props: { row: ICompareRow }): JSX.Element {
  const { row } = props;
  const [group, key] = row.field.includes('.') ? [row.field.split('.', 1)[0] + '.', row.field.slice(row.field.indexOf('.') + 1)] : ['', row.field];
  const changed = changedFromFirst(row);
  const best = new Set(row.best);
  const bestTitle = row.direction === 'min' ? 'Best: the lowest value (min)' : 'Best: the highest value (max)';
  return (
    <tr className={row.differs ? 'runlab-compare-differs' : undefined} data-field={row.field}>
      <th scope="row" className="runlab-compare-field" title={row.field}>
        <span className="runlab-compare-group">{group}</span>
        {key}
        {row.direction && <span className="runlab-compare-direction"> ({row.direction})</span>}
      </th>
      {row.values.map((value, i) => {
        const full = value === null || value === undefined ? 'no value' : valueText(value);
        return (
          <td key={i} className={changed[i] ? 'runlab-compare-changed' : undefined} data-best={best.has(i) || undefined}
            title={full}>
            {cellText(value)}
            {best.has(i) && <span className="runlab-compare-best" title={bestTitle} aria-label={bestTitle}> ★</span>}
          </td>
        );
      })}
    </tr>
  );
}

/** The table in a scroll box whose header row and first column stay in place. */
export function CompareTable(props: {
  runs: ICompareRun[];
  rows: ICompareRow[];
  openRun: (uid: string, iteration: number) => void;
}): JSX.Element {
  return (
    <div className="runlab-compare-scroll">
      <table className="runlab-compare-table">
        <thead>
          <tr>
            <th className="runlab-compare-corner">Field</th>
            {props.runs.map(run => (
              <RunHeader key={`${run.uid}:${run.iteration}`} run={run} openRun={props.openRun} />
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map(row => (
            <Row key={row.field} row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
