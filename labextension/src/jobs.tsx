// The "Jobs" sidebar: the jobs (runs grouped by name) of a project, each job's run history, live.

import {
  closeIcon,
  HTMLSelect,
  InputGroup,
  refreshIcon,
  searchIcon,
  tableRowsIcon,
  ToolbarButtonComponent,
  UseSignal
} from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { RunActions } from './actions/runActions';
import { IJob, IProject, IRun, RunlabClient } from './api';
import { CodeText } from './components/codeText';
import { ErrorAlert, explain } from './components/errorText';
import { RowActions } from './components/rowActions';
import { CachedMark, cachedFrom } from './components/cached';
import { StateBadge } from './components/stateBadge';
import { TabBar } from './components/tabBar';
import { SweepBadge, sweepText } from './detail/iterations';
import { durationText, elapsed, fullTime, shortTime } from './format';
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
      maxInterval: 10000,
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
  /** A project whose first runs arrived while the panel showed another one. */
  offered: string | null = null;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    await this.refreshProjects();
    if (!this.project) {
      this.jobs = [];
      if (this.view === 'schedules') {
        await this.schedules.refresh('');
      }
      this.done();
      return;
    }
    if (this.view === 'schedules') {
      await this.schedules.refresh(this.project);
      this.done();
      return;
    }
    const asked = { project: this.project, filter: this.filter };
    const answer = await this.client.jobs(asked.project, asked.filter, this._etag);
    if (asked.project !== this.project || asked.filter !== this.filter) {
      return; // the user changed the project or the filter meanwhile: this answer is for the old one
    }
    if (answer !== null) {
      this.jobs = answer.jobs;
      this._etag = answer.etag;
      if (this.expanded) {
        await this.loadHistory(false);
      }
    }
    this.done();
  }

  /** The project list, asked for on every tick (a 304 while nothing in the store changed): run counts never
   * lag, and a run in a project the panel has not seen yet shows up at once. Where it shows up is decided
   * by what the user looks at: a panel with nothing to show (no project, or one without runs the user did
   * not pick) follows the newest project; one showing a project's runs stays there and offers the new one. */
  private async refreshProjects(): Promise<void> {
    const answer = await this.client.projectsIfChanged(this._projectsEtag);
    if (answer === null) {
      return;
    }
    const known = new Set(this.projects.map(p => p.name));
    const first = this._projectsEtag === '';
    this.projects = answer.projects;
    this._projectsEtag = answer.etag;
    const byNewest = [...this.projects]
      .filter(p => p.runs > 0)
      .sort((a, b) => (b.last_update ?? '').localeCompare(a.last_update ?? ''));
    const current = this.projects.find(p => p.name === this.project);
    if (!current || (current.runs === 0 && !this._chosen)) {
      const newest = byNewest[0]?.name ?? current?.name ?? '';
      if (newest !== this.project) {
        this.switchTo(newest);
      }
      return;
    }
    const arrived = first ? undefined : byNewest.find(p => !known.has(p.name));
    if (arrived) {
      this.offered = arrived.name;
    }
    if (!this.projects.some(p => p.name === this.offered && p.name !== this.project)) {
      this.offered = null;
    }
  }

  setProject(name: string): void {
    this._chosen = true;
    localStorage.setItem(PROJECT_KEY, name);
    this.switchTo(name);
    void this.poller.tick();
  }

  /** The jobs of `project` (where a run was just started), asked for now: the new run shows without waiting
   * for the next poll. */
  showJobsOf(project: string): void {
    if (this.view !== 'jobs') {
      this.view = 'jobs';
      this._changed.emit();
    }
    if (project && project !== this.project) {
      this.setProject(project);
    } else {
      void this.poller.tick();
    }
  }

  /** Stop offering a new project (the user has seen it). */
  dismissOffer(): void {
    this.offered = null;
    this._changed.emit();
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

  /** Show another project (without a tick: the caller asks for one, or is inside one). */
  private switchTo(name: string): void {
    this.project = name;
    if (this.offered === name) {
      this.offered = null;
    }
    this._etag = '';
    this.jobs = [];
    this.expanded = null;
    this.history = [];
    this._changed.emit();
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
  private _projectsEtag = '';
  /** The user picked the project shown in this session (one without runs is then kept, not followed away). */
  private _chosen = false;
  private _changed = new Signal<this, void>(this);
}

/** The project selector: JupyterLab's own select, or in its place a line saying the store is empty. */
function ProjectSelect(props: { model: JobsModel }): JSX.Element {
  const { model } = props;
  if (model.loaded && !model.projects.length) {
    return <div className="runlab-no-projects">No projects yet</div>;
  }
  return (
    <HTMLSelect className="runlab-project-select" aria-label="Project" title="Project" value={model.project}
      onChange={event => model.setProject(event.currentTarget.value)}
      options={model.projects.map(p => ({ value: p.name, label: `${p.name} (${p.runs})` }))} />
  );
}

function HistoryRow(props: {
  run: IRun;
  now: number;
  openRun: (uid: string) => void;
  actions?: RunActions;
  changed: () => void;
}): JSX.Element {
  const { run, now, openRun, actions, changed } = props;
  const uid = run.metadata.uid;
  const notes = run.metadata.notes ?? '';
  const seconds = elapsed(run.status.state, run.status.start_time, run.status.duration, now);
  const took = durationText(seconds, true);
  return (
    <li className="runlab-history-item">
      <button className="runlab-history-row" data-uid={uid} onClick={() => openRun(uid)} title={notes || undefined}
        aria-label={`Run ${uid}, ${run.status.state}, started ${fullTime(run.status.start_time)}` +
          (sweepText(run) ? `, a sweep of ${sweepText(run)}` : '') +
          (cachedFrom(run) ? `, cached from run ${cachedFrom(run)}` : '') + (notes ? `. Notes: ${notes}` : '')}>
        <span className="runlab-uid" title={uid}>
          {uid.slice(0, 8)}
        </span>
        <StateBadge state={run.status.state} title={run.status.error} />
        <span className="runlab-muted runlab-when" title={fullTime(run.status.start_time)}>
          {shortTime(run.status.start_time, now)}
        </span>
        <span className="runlab-muted runlab-took" title={took && `took ${durationText(seconds)}`}>
          {took}
        </span>
        <SweepBadge run={run} />
        <CachedMark run={run} />
        {notes && <span className="runlab-history-notes runlab-muted">{notes.split('\n')[0]}</span>}
      </button>
      {actions && <RowActions run={run} actions={actions} changed={changed} />}
    </li>
  );
}

/** Opens the Runs view of a project, or of one of its jobs. */
export type OpenRuns = (project: string, job?: string) => void;

function JobsView(props: {
  model: JobsModel;
  openRun: (uid: string) => void;
  openRuns?: OpenRuns;
  actions?: RunActions;
}): JSX.Element {
  const { model, openRun, openRuns, actions } = props;
  const now = Date.now();
  return (
    <div className="runlab-jobs">
      <div className="runlab-jobs-header">
        <h2>Jobs</h2>
        {openRuns && (
          <ToolbarButtonComponent className="runlab-open-runs" icon={tableRowsIcon} enabled={!!model.project}
            tooltip={model.project ? `All runs of ${model.project} (Runs view)` : 'No project yet'}
            onClick={() => model.project && openRuns(model.project)} />
        )}
        <ToolbarButtonComponent className="runlab-refresh" icon={refreshIcon} tooltip="Refresh"
          onClick={() => void model.poller.tick()} />
      </div>
      <TabBar className="runlab-views" tabs={SIDEBAR_VIEWS} active={model.view}
        label={view => (view === 'jobs' ? 'Jobs' : 'Schedules')} onSelect={view => model.setView(view)} />
      <div className="runlab-jobs-controls">
        <ProjectSelect model={model} />
        {model.view === 'jobs' && model.projects.length > 0 && (
          <div className="runlab-filter">
            <InputGroup type="search" placeholder="Filter jobs" aria-label="Filter jobs" rightIcon={searchIcon}
              value={model.filter} onChange={event => model.setFilter(event.target.value)} />
          </div>
        )}
      </div>
      {model.offered && (
        <div className="runlab-offer" role="status">
          <span className="runlab-offer-text" title={`New runs in project ${model.offered}`}>
            New runs in <strong>{model.offered}</strong>
          </span>
          <button className="jp-mod-styled jp-mod-accept" onClick={() => model.setProject(model.offered!)}>
            Show
          </button>
          <ToolbarButtonComponent icon={closeIcon} tooltip="Dismiss" onClick={() => model.dismissOffer()} />
        </div>
      )}
      <ErrorAlert message={model.error} />
      {!model.loaded && <div className="runlab-empty">Loading…</div>}
      {model.view === 'jobs' && model.loaded && !model.error && !model.projects.length && (
        <div className="runlab-empty">
          <CodeText text="No runs yet. Run a function from a notebook (`project.run_function(...)`) and it shows up here." />
        </div>
      )}
      {model.view === 'schedules' && <SchedulesView model={model.schedules} openRun={openRun} />}
      <ul className="runlab-job-list" role="list" hidden={model.view !== 'jobs'}>
        {model.jobs.map(job => (
          <li key={job.name} className="runlab-job">
            <div className="runlab-job-row" role="button" tabIndex={0} aria-expanded={model.expanded === job.name}
              data-job={job.name} data-last-uid={job.last_uid} onClick={() => void model.toggle(job.name)}
              onKeyDown={event => (event.key === 'Enter' || event.key === ' ') && void model.toggle(job.name)}>
              <span className="runlab-job-name" title={job.name}>
                {job.name}
              </span>
              <StateBadge state={job.last_state} title={job.last_error} />
              <span className="runlab-muted runlab-when" title={fullTime(job.last_start)}>
                {shortTime(job.last_start, now)}
              </span>
              <span className="runlab-muted runlab-took">
                {durationText(elapsed(job.last_state, job.last_start, job.last_duration, now), true)}
              </span>
              <span className="runlab-count" title={`${job.runs} runs`}>
                {job.runs}
              </span>
              {openRuns && (
                // its own button: a click or Enter here opens the Runs view, not the row's history
                <span className="runlab-job-runs" onClick={event => event.stopPropagation()}
                  onKeyDown={event => event.stopPropagation()}>
                  <ToolbarButtonComponent icon={tableRowsIcon} tooltip={`All runs of ${job.name}`}
                    onClick={() => openRuns(model.project, job.name)} />
                </span>
              )}
            </div>
            {model.expanded === job.name && (
              <ul className="runlab-history" role="list">
                {model.history.map(run => (
                  <HistoryRow key={run.metadata.uid} run={run} now={now} openRun={openRun} actions={actions}
                    changed={() => void model.poller.tick()} />
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
    private readonly openRun: (uid: string) => void,
    private readonly openRuns?: OpenRuns,
    private readonly actions?: RunActions
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
        {() => <JobsView model={this.model} openRun={this.openRun} openRuns={this.openRuns} actions={this.actions} />}
      </UseSignal>
    );
  }
}
