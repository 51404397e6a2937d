import * as React from 'react';

/** A run's state as a coloured badge; the title (an error, say) shows on hover. */
export function StateBadge(props: { state: string; title?: string | null }): JSX.Element {
  return (
    <span className={`runlab-badge runlab-state-${props.state}`} title={props.title ?? props.state}>
      {props.state}
    </span>
  );
}
