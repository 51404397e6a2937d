// The "Jobs" sidebar: the jobs (runs grouped by name) of a project, each job's run history, live.

import { UseSignal } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IJob, IProject, IRun, RunlabClient } from './api';
import { ErrorAlert, explain } from './components/errorText';
import { StateBadge } from './components/stateBadge';
import { TabBar } from './components/tabBar';
import { durationText, elapsed, relativeTime } from './format';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';
import { SchedulesModel, SchedulesView } from './schedules';

const PROJECT_KEY = 'runlab:jobs-project';
const HISTORY_PAGE = 20;
const SIDEBAR_VIEWS = ['jobs', 'schedules'] as const;
type SidebarView = (typeof SIDEBAR_VIEWS)[number];

export class JobsModel {
  constructor(readonly client: RunlabClient) {
    this.project = localStorage.getItem(PROJECT_KEY) ?? '';
    this.schedules = new SchedulesModel(client);
    this.schedules.changed.connect(() => this._changed.emit());
    this.poller = new Poller({
      interval: 1000,
      maxInterval: 15000,
      task: () => this.refresh(),
      onError: error => this.fail(error)
    });
  }

  readonly poller: Poller;
  readonly schedules: SchedulesModel;
  view: SidebarView = 'jobs';
  projects: IProject[] = [];
  project: string;
  filter = '';
  jobs: IJob[] = [];
  error: string | null = null;
  loaded = false;
  expanded: string | null = null;
  history: IRun[] = [];
  historyNext: number | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    if (this._ticks++ % 10 === 0 || !this.projects.length) {
      this.projects = await this.client.projects();
      if (!this.projects.some(p => p.name === this.project)) {
        this.project = [...this.projects].sort((a, b) =>
          (b.last_update ?? '').localeCompare(a.last_update ?? '')
        )[0]?.name ?? '';
      }
    }
    if (!this.project) {
      this.jobs = [];
      this.done();
      return;
    }
    if (this.view === 'schedules') {
      await this.schedules.refresh(this.project);
      this.done();
      return;
    }
    const answer = await this.client.jobs(this.project, this.filter, this._etag);
    if (answer !== null) {
      this.jobs = answer.jobs;
      this._etag = answer.etag;
      if (this.expanded) {
        await this.loadHistory(false);
      }
    }
    this.done();
  }

  setProject(name: string): void {
    this.project = name;
    localStorage.setItem(PROJECT_KEY, name);
    this.reset();
  }

  setView(view: SidebarView): void {
    this.view = view;
    this._changed.emit();
    void this.poller.tick();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.reset();
  }

  async toggle(name: string): Promise<void> {
    this.expanded = this.expanded === name ? null : name;
    this.history = [];
    this.historyNext = null;
    this._changed.emit();
    if (this.expanded) {
      await this.loadHistory(false).catch(error => this.fail(error));
      this._changed.emit();
    }
  }

  async loadMore(): Promise<void> {
    await this.loadHistory(true).catch(error => this.fail(error));
    this._changed.emit();
  }

  private async loadHistory(more: boolean): Promise<void> {
    const name = this.expanded;
    if (!name) {
      return;
    }
    const offset = more ? this.history.length : 0;
    const limit = more ? HISTORY_PAGE : Math.max(HISTORY_PAGE, this.history.length);
    const page = await this.client.runs({ project: this.project, name, limit, offset });
    if (this.expanded !== name) {
      return;
    }
    this.history = more ? [...this.history, ...page.runs] : page.runs;
    this.historyNext = page.next_offset;
  }

  private reset(): void {
    this._etag = '';
    this.jobs = [];
    this.expanded = null;
    this.history = [];
    this._changed.emit();
    void this.poller.tick();
  }

  private done(): void {
    this.error = null;
    this.loaded = true;
    this._changed.emit();
  }

  private fail(error: unknown): void {
    this.error = explain(error);
    this.loaded = true;
    this._changed.emit();
  }

  private _etag = '';
  private _ticks = 0;
  private _changed = new Signal<this, void>(this);
}

function JobsView(props: { model: JobsModel; openRun: (uid: string) => void }): JSX.Element {
  const { model, openRun } = props;
  const now = Date.now();
  return (
    <div className="runlab-jobs">
      <div className="runlab-jobs-header">
        <h2>Jobs</h2>
        <button className="jp-mod-styled runlab-icon-button" title="Refresh" aria-label="Refresh"
          onClick={() => void model.poller.tick()}>
          ⟳
        </button>
      </div>
      <TabBar className="runlab-views" tabs={SIDEBAR_VIEWS} active={model.view}
        label={view => (view === 'jobs' ? 'Jobs' : 'Schedules')} onSelect={view => model.setView(view)} />
      <div className="runlab-jobs-controls">
        <label>
          <span className="runlab-sr-only">Project</span>
          <select className="jp-mod-styled" aria-label="Project" value={model.project}
            onChange={event => model.setProject(event.target.value)}>
            {model.projects.map(p => (
              <option key={p.name} value={p.name}>
                {p.name} ({p.runs})
              </option>
            ))}
          </select>
        </label>
        {model.view === 'jobs' && (
          <input className="jp-mod-styled runlab-filter" type="search" placeholder="Filter jobs"
            aria-label="Filter jobs" value={model.filter} onChange={event => model.setFilter(event.target.value)} />
        )}
      </div>
      <ErrorAlert message={model.error} />
      {model.loaded && !model.error && !model.projects.length && (
        <div className="runlab-empty">
          No runs yet. Run a function from a notebook (`project.run_function(...)`) and it shows up here.
        </div>
      )}
      {model.view === 'schedules' && <SchedulesView model={model.schedules} openRun={openRun} />}
      <ul className="runlab-job-list" role="list" hidden={model.view !== 'jobs'}>
        {model.jobs.map(job => (
          <li key={job.name} className="runlab-job">
            <div className="runlab-job-row" role="button" tabIndex={0} aria-expanded={model.expanded === job.name}
              data-job={job.name} onClick={() => void model.toggle(job.name)}
              onKeyDown={event => (event.key === 'Enter' || event.key === ' ') && void model.toggle(job.name)}>
              <span className="runlab-job-name" title={job.name}>
                {job.name}
              </span>
              <StateBadge state={job.last_state} title={job.last_error} />
              <span className="runlab-muted" title={job.last_start ?? ''}>
                {relativeTime(job.last_start, now)}
              </span>
              <span className="runlab-muted">{durationText(elapsed(job.last_state, job.last_start, job.last_duration, now))}</span>
              <span className="runlab-count" title={`${job.runs} runs`}>
                {job.runs}
              </span>
            </div>
            {model.expanded === job.name && (
              <ul className="runlab-history" role="list">
                {model.history.map(run => (
                  <li key={`${run.metadata.uid}`}>
                    <button className="runlab-history-row" data-uid={run.metadata.uid}
                      onClick={() => openRun(run.metadata.uid)}>
                      <span className="runlab-uid">{run.metadata.uid.slice(0, 8)}</span>
                      <StateBadge state={run.status.state} title={run.status.error} />
                      <span className="runlab-muted">{relativeTime(run.status.start_time, now)}</span>
                      <span className="runlab-muted">
                        {durationText(elapsed(run.status.state, run.status.start_time, run.status.duration, now))}
                      </span>
                    </button>
                  </li>
                ))}
                {model.historyNext !== null && (
                  <li>
                    <button className="jp-mod-styled runlab-more" onClick={() => void model.loadMore()}>
                      More runs
                    </button>
                  </li>
                )}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The sidebar widget: polls only while it is visible. */
export class JobsPanel extends PolledReactWidget {
  constructor(
    readonly model: JobsModel,
    private readonly openRun: (uid: string) => void
  ) {
    super();
    this.addClass('runlab-jobs-panel');
  }

  protected get poller(): Poller {
    return this.model.poller;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => <JobsView model={this.model} openRun={this.openRun} />}
      </UseSignal>
    );
  }
}
