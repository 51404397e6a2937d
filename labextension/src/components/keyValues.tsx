import * as React from 'react';

import { valueText } from '../format';

/** A two-column table of names and values, or a note when there are none. */
export function KeyValues(props: { values: Record<string, unknown>; empty: string }): JSX.Element {
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
