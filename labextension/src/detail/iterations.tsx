import * as React from 'react';

import { IRun } from '../api';
import { valueText } from '../format';

/** The Iterations tab of a sweep: one row per iteration, sortable by any column, the best one starred. */
export function Iterations(props: { run: IRun }): JSX.Element {
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
  const sortBy = (column: string) =>
    setSort({ column, descending: sort?.column === column ? !sort.descending : false });
  const best = props.run.status.best_iteration;
  return (
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
