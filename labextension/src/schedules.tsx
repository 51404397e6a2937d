// The sidebar's Schedules view: each schedule's cron in words, next run, last run with its state, and
// edit, pause/resume, run now and delete; expanded, the runs it fired and its history (firings, retention).

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IRun, ISchedule, IScheduleChanges, IScheduleEvent, RunlabClient } from './api';
import { CodeText } from './components/codeText';
import { ErrorAlert, explain } from './components/errorText';
import { StateBadge } from './components/stateBadge';
import { fullTime, relativeTime } from './format';
import { editSchedule } from './schedules/editDialog';
import { ScheduleRuns } from './schedules/runs';

const RUNS_SHOWN = 10;

export class SchedulesModel {
  constructor(readonly client: RunlabClient) {}

  schedules: ISchedule[] = [];
  error: string | null = null;
  loaded = false;
  busy: string | null = null;
  expanded: string | null = null;
  events: IScheduleEvent[] = [];
  /** The expanded schedule's newest runs, and whether it has more. */
  runs: IRun[] = [];
  moreRuns = false;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(project: string): Promise<void> {
    this.schedules = project ? await this.client.schedules(project) : [];
    const open = this.schedules.find(s => s.name === this.expanded);
    this.events = open ? await this.client.scheduleEvents(open.project, open.name) : [];
    await this.loadRuns(open);
    this.error = null;
    this.loaded = true;
    this._changed.emit();
  }

  async toggle(schedule: ISchedule): Promise<void> {
    this.expanded = this.expanded === schedule.name ? null : schedule.name;
    this.events = [];
    this.runs = [];
    this._changed.emit();
    if (this.expanded) {
      try {
        this.events = await this.client.scheduleEvents(schedule.project, schedule.name);
        await this.loadRuns(schedule);
      } catch (error) {
        this.error = explain(error);
      }
      this._changed.emit();
    }
  }

  /** Save changes to a schedule: null when saved (the list shows them), else the server's message. */
  async update(schedule: ISchedule, changes: IScheduleChanges): Promise<string | null> {
    try {
      await this.client.updateSchedule(schedule.project, schedule.name, changes);
    } catch (error) {
      return explain(error);
    }
    try {
      await this.refresh(schedule.project);
    } catch (error) {
      this.error = explain(error);
      this._changed.emit();
    }
    return null;
  }

  private async loadRuns(schedule: ISchedule | undefined): Promise<void> {
    if (!schedule) {
      this.runs = [];
      this.moreRuns = false;
      return;
    }
    const page = await this.client.scheduleRuns(schedule.project, schedule.name, RUNS_SHOWN);
    this.runs = page.runs;
    this.moreRuns = page.next_offset !== null;
  }

  async act(schedule: ISchedule, action: 'pause' | 'resume' | 'run-now' | 'delete'): Promise<void> {
    this.busy = schedule.name;
    this._changed.emit();
    try {
      if (action === 'delete') {
        await this.client.deleteSchedule(schedule.project, schedule.name);
      } else {
        await this.client.scheduleAction(schedule.project, schedule.name, action);
      }
      await this.refresh(schedule.project);
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.busy = null;
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
}

export function SchedulesView(props: { model: SchedulesModel; openRun: (uid: string) => void }): JSX.Element {
  const { model, openRun } = props;
  const now = Date.now();
  const remove = async (schedule: ISchedule) => {
    const answer = await showDialog({
      title: 'Delete this schedule?',
      body: `Schedule ${schedule.name} (${schedule.description}) stops firing. The runs it started stay.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (answer.button.accept) {
      await model.act(schedule, 'delete');
    }
  };
  return (
    <div className="runlab-schedules">
      <ErrorAlert message={model.error} />
      {model.loaded && !model.schedules.length && !model.error && (
        <div className="runlab-empty">
          <CodeText text={'No schedules yet. `project.run_function("trainer", schedule="0 */6 * * *")` makes one.'} />
        </div>
      )}
      <ul className="runlab-job-list" role="list">
        {model.schedules.map(schedule => (
          <li key={schedule.name} className="runlab-schedule" data-schedule={schedule.name}>
            <div className="runlab-schedule-head">
              <span className="runlab-job-name" title={`${schedule.name}: ${schedule.function}`}>
                {schedule.name}
              </span>
              {schedule.paused && <span className="runlab-badge runlab-state-paused">paused</span>}
            </div>
            <div className="runlab-muted runlab-schedule-when"
              title={`${schedule.cron} ${schedule.timezone || '(local time)'}`}>
              {schedule.description} · {schedule.concurrency}
              {schedule.keep_runs ? ` · keeps ${schedule.keep_runs}` : ''}
            </div>
            <div className="runlab-muted">
              {schedule.paused ? 'paused' : (
                <span title={fullTime(schedule.next_run)}>next {relativeTime(schedule.next_run, now)}</span>
              )}
            </div>
            <div className="runlab-schedule-last">
              {schedule.last_uid ? (
                <button className="runlab-link" onClick={() => openRun(schedule.last_uid!)}
                  title={fullTime(schedule.last_run)}>
                  last {relativeTime(schedule.last_run, now)}
                </button>
              ) : (
                <span className="runlab-muted">never fired</span>
              )}
              {schedule.last_state && <StateBadge state={schedule.last_state} />}
            </div>
            <div className="runlab-schedule-actions">
              <button className="jp-mod-styled" disabled={model.busy === schedule.name}
                onClick={() => void editSchedule(schedule, changes => model.update(schedule, changes))}>
                Edit
              </button>
              <button className="jp-mod-styled" disabled={model.busy === schedule.name}
                onClick={() => void model.act(schedule, schedule.paused ? 'resume' : 'pause')}>
                {schedule.paused ? 'Resume' : 'Pause'}
              </button>
              <button className="jp-mod-styled" disabled={model.busy === schedule.name}
                onClick={() => void model.act(schedule, 'run-now')}>
                Run now
              </button>
              <button className="jp-mod-styled jp-mod-warn" disabled={model.busy === schedule.name}
                onClick={() => void remove(schedule)}>
                Delete
              </button>
            </div>
            <button className="runlab-link runlab-history-toggle" aria-expanded={model.expanded === schedule.name}
              onClick={() => void model.toggle(schedule)}>
              {model.expanded === schedule.name ? 'Hide history' : 'History'}
            </button>
            {model.expanded === schedule.name && (
              <ScheduleRuns runs={model.runs} more={model.moreRuns} openRun={openRun} />
            )}
            {model.expanded === schedule.name && (
              <ul className="runlab-events" role="list">
                {!model.events.length && <li className="runlab-muted">Nothing yet: it has not been due.</li>}
                {model.events.map((event, i) => (
                  <li key={i} className={`runlab-event runlab-event-${event.event}`} data-event={event.event}>
                    <span className="runlab-muted" title={fullTime(event.time)}>{relativeTime(event.time, now)}</span>{' '}
                    <strong>{event.event}</strong>{' '}
                    {event.run_uid ? (
                      <button className="runlab-link" onClick={() => openRun(event.run_uid!)}>
                        {event.run_uid.slice(0, 8)}
                      </button>
                    ) : null}{' '}
                    <span className="runlab-muted">{event.message}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
