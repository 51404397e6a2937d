import * as React from 'react';

import { IAttempt, IRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { durationText, isTerminal } from '../format';
import { nextAttemptText } from './attempttext';
import { When } from './when';

/** The run's next attempt while it waits for it, else null. */
export function nextAttempt(run: IRun, now: number = Date.now()): string | null {
  const retry = run.status.retry;
  return retry && !isTerminal(run.status.state) ? nextAttemptText(retry, now) : null;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The attempts of a run with retries: one row each (state, start, how long, why it failed). */
export function Attempts(props: { attempts: IAttempt[] }): JSX.Element {
  return (
    <section className="runlab-attempts" aria-label="Attempts">
      <h3 className="runlab-attempts-title">Attempts</h3>
      <table className="runlab-table runlab-attempts-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">state</th>
            <th scope="col">started</th>
            <th scope="col">took</th>
            <th scope="col">error</th>
          </tr>
        </thead>
        <tbody>
          {props.attempts.map(a => (
            <tr key={a.attempt} data-attempt={a.attempt}>
              <td>{a.attempt}</td>
              <td><StateBadge state={a.state} title={a.error} /></td>
              <td><When iso={iso(a.start_time)} /></td>
              <td>{durationText(a.end_time - a.start_time)}</td>
              <td className="runlab-attempts-error">{a.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
