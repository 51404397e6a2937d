// The runs a schedule fired, listed under it when it is expanded: state, start, duration; a click opens one.

import * as React from 'react';

import { IRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { durationText, elapsed, fullTime, shortTime } from '../format';

export function ScheduleRuns(props: { runs: IRun[]; more: boolean; openRun: (uid: string) => void }): JSX.Element {
  const { runs, more, openRun } = props;
  const now = Date.now();
  if (!runs.length) {
    return <div className="runlab-muted runlab-schedule-runs-empty">No runs yet.</div>;
  }
  return (
    <ul className="runlab-schedule-runs" role="list" aria-label="Runs of this schedule">
      {runs.map(run => {
        const { uid } = run.metadata;
        const { state, start_time: start, duration, error } = run.status;
        return (
          <li key={uid}>
            <button className="runlab-history-row runlab-schedule-run" data-uid={uid} onClick={() => openRun(uid)}
              title={`Open run ${uid}`}>
              <StateBadge state={state} title={error} />
              <span className="runlab-muted runlab-when" title={fullTime(start)}>
                {shortTime(start, now)}
              </span>
              <span className="runlab-uid" title={uid}>
                {uid.slice(0, 8)}
              </span>
              <span className="runlab-muted runlab-took">{durationText(elapsed(state, start, duration, now), true)}</span>
            </button>
          </li>
        );
      })}
      {more && <li className="runlab-muted">Older runs: the Runs view, filtered by label schedule.</li>}
    </ul>
  );
}
