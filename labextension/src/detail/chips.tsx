import * as React from 'react';

import { valueText } from '../format';

/** The longest value a chip shows; the rest is in its tooltip and in the tab that lists the values. */
const CHIP_CHARS = 60;

/** Names and values as a row of chips ("lr=0.5"), or ``empty`` when there are none. */
export function Chips(props: { values: Record<string, unknown>; empty: string; kind: string }): JSX.Element {
  const entries = Object.entries(props.values ?? {});
  if (!entries.length) {
    return <span className="runlab-muted">{props.empty}</span>;
  }
  return (
    <ul className="runlab-chips" data-chips={props.kind}>
      {entries.map(([key, value]) => {
        const text = valueText(value);
        const shown = text.length > CHIP_CHARS ? `${text.slice(0, CHIP_CHARS)}…` : text;
        return (
          <li key={key} className="runlab-chip" title={`${key}=${text}`}>
            <span className="runlab-chip-key">{key}</span>={shown}
          </li>
        );
      })}
    </ul>
  );
}
