import * as React from 'react';

import { relativeTime, timestamp } from '../format';

/** The full local date and time with its time zone, for a tooltip: "Friday, 27 November 2026 at 03:28:50 UTC". */
export function fullTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'long' });
}

/** A time in the browser's local time ("2026-11-25 14:03:07", with how long ago when ``ago``); the tooltip
 * spells it out with the time zone. Nothing for a missing time. */
export function When(props: { iso: string | null | undefined; ago?: boolean }): JSX.Element | null {
  const { iso, ago } = props;
  if (!iso || !timestamp(iso)) {
    return null;
  }
  return (
    <time className="runlab-when" dateTime={iso} title={fullTime(iso)}>
      {timestamp(iso)}
      {ago ? ` (${relativeTime(iso)})` : ''}
    </time>
  );
}
