// The "Jobs" sidebar: the jobs (runs grouped by name) of a project, each job's run history, live.
import { UseSignal } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { RunlabApiError } from './api';
import { durationText, elapsed, relativeTime } from './format';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';
import { SchedulesModel, SchedulesView } from './schedules';
const PROJECT_KEY = 'runlab:jobs-project';
const HISTORY_PAGE = 20;
/** What went wrong, said so that the user knows what to do. */
export function explain(error) {
    if (error instanceof RunlabApiError) {
        if (error.status === 404 && error.message === 'Not Found') {
            return ('The runlab server extension is not answering. Install runlab in the Python environment that runs ' +
                'this Jupyter server, check that `jupyter server extension list` shows runlab.server enabled, and ' +
                'restart the server.');
        }
        if (error.status === 0) {
            return `${error.message}. Is the Jupyter server still running?`;
        }
        if (error.status >= 500) {
            return `The run store cannot be read (HTTP ${error.status}): ${error.message}. Check RUNLAB_DB_URL / RUNLAB_HOME of the server.`;
        }
        return error.message;
    }
    return String(error);
}
export class JobsModel {
    constructor(client) {
        this.client = client;
        this.view = 'jobs';
        this.projects = [];
        this.filter = '';
        this.jobs = [];
        this.error = null;
        this.loaded = false;
        this.expanded = null;
        this.history = [];
        this.historyNext = null;
        this._etag = '';
        this._ticks = 0;
        this._changed = new Signal(this);
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
    get changed() {
        return this._changed;
    }
    async refresh() {
        if (this._ticks++ % 10 === 0 || !this.projects.length) {
            this.projects = await this.client.projects();
            if (!this.projects.some(p => p.name === this.project)) {
                this.project = [...this.projects].sort((a, b) => (b.last_update ?? '').localeCompare(a.last_update ?? ''))[0]?.name ?? '';
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
    setProject(name) {
        this.project = name;
        localStorage.setItem(PROJECT_KEY, name);
        this.reset();
    }
    setView(view) {
        this.view = view;
        this._changed.emit();
        void this.poller.tick();
    }
    setFilter(text) {
        this.filter = text;
        this.reset();
    }
    async toggle(name) {
        this.expanded = this.expanded === name ? null : name;
        this.history = [];
        this.historyNext = null;
        this._changed.emit();
        if (this.expanded) {
            await this.loadHistory(false).catch(error => this.fail(error));
            this._changed.emit();
        }
    }
    async loadMore() {
        await this.loadHistory(true).catch(error => this.fail(error));
        this._changed.emit();
    }
    async loadHistory(more) {
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
    reset() {
        this._etag = '';
        this.jobs = [];
        this.expanded = null;
        this.history = [];
        this._changed.emit();
        void this.poller.tick();
    }
    done() {
        this.error = null;
        this.loaded = true;
        this._changed.emit();
    }
    fail(error) {
        this.error = explain(error);
        this.loaded = true;
        this._changed.emit();
    }
}
export function StateBadge(props) {
    return (React.createElement("span", { className: `runlab-badge runlab-state-${props.state}`, title: props.title ?? props.state }, props.state));
}
function JobsView(props) {
    const { model, openRun } = props;
    const now = Date.now();
    return (React.createElement("div", { className: "runlab-jobs" },
        React.createElement("div", { className: "runlab-jobs-header" },
            React.createElement("h2", null, "Jobs"),
            React.createElement("button", { className: "jp-mod-styled runlab-icon-button", title: "Refresh", "aria-label": "Refresh", onClick: () => void model.poller.tick() }, "\u27F3")),
        React.createElement("div", { className: "runlab-views", role: "tablist" }, ['jobs', 'schedules'].map(view => (React.createElement("button", { key: view, role: "tab", "aria-selected": model.view === view, className: model.view === view ? 'runlab-tab runlab-tab-active' : 'runlab-tab', onClick: () => model.setView(view) }, view === 'jobs' ? 'Jobs' : 'Schedules')))),
        React.createElement("div", { className: "runlab-jobs-controls" },
            React.createElement("label", null,
                React.createElement("span", { className: "runlab-sr-only" }, "Project"),
                React.createElement("select", { className: "jp-mod-styled", "aria-label": "Project", value: model.project, onChange: event => model.setProject(event.target.value) }, model.projects.map(p => (React.createElement("option", { key: p.name, value: p.name },
                    p.name,
                    " (",
                    p.runs,
                    ")"))))),
            model.view === 'jobs' && (React.createElement("input", { className: "jp-mod-styled runlab-filter", type: "search", placeholder: "Filter jobs", "aria-label": "Filter jobs", value: model.filter, onChange: event => model.setFilter(event.target.value) }))),
        model.error && (React.createElement("div", { className: "runlab-error", role: "alert" }, model.error)),
        model.loaded && !model.error && !model.projects.length && (React.createElement("div", { className: "runlab-empty" }, "No runs yet. Run a function from a notebook (`project.run_function(...)`) and it shows up here.")),
        model.view === 'schedules' && React.createElement(SchedulesView, { model: model.schedules, openRun: openRun }),
        React.createElement("ul", { className: "runlab-job-list", role: "list", hidden: model.view !== 'jobs' }, model.jobs.map(job => (React.createElement("li", { key: job.name, className: "runlab-job" },
            React.createElement("div", { className: "runlab-job-row", role: "button", tabIndex: 0, "aria-expanded": model.expanded === job.name, "data-job": job.name, onClick: () => void model.toggle(job.name), onKeyDown: event => (event.key === 'Enter' || event.key === ' ') && void model.toggle(job.name) },
                React.createElement("span", { className: "runlab-job-name", title: job.name }, job.name),
                React.createElement(StateBadge, { state: job.last_state, title: job.last_error }),
                React.createElement("span", { className: "runlab-muted", title: job.last_start ?? '' }, relativeTime(job.last_start, now)),
                React.createElement("span", { className: "runlab-muted" }, durationText(elapsed(job.last_state, job.last_start, job.last_duration, now))),
                React.createElement("span", { className: "runlab-count", title: `${job.runs} runs` }, job.runs)),
            model.expanded === job.name && (React.createElement("ul", { className: "runlab-history", role: "list" },
                model.history.map(run => (React.createElement("li", { key: `${run.metadata.uid}` },
                    React.createElement("button", { className: "runlab-history-row", "data-uid": run.metadata.uid, onClick: () => openRun(run.metadata.uid) },
                        React.createElement("span", { className: "runlab-uid" }, run.metadata.uid.slice(0, 8)),
                        React.createElement(StateBadge, { state: run.status.state, title: run.status.error }),
                        React.createElement("span", { className: "runlab-muted" }, relativeTime(run.status.start_time, now)),
                        React.createElement("span", { className: "runlab-muted" }, durationText(elapsed(run.status.state, run.status.start_time, run.status.duration, now))))))),
                model.historyNext !== null && (React.createElement("li", null,
                    React.createElement("button", { className: "jp-mod-styled runlab-more", onClick: () => void model.loadMore() }, "More runs")))))))))));
}
/** The sidebar widget: polls only while it is visible. */
export class JobsPanel extends PolledReactWidget {
    constructor(model, openRun) {
        super();
        this.model = model;
        this.openRun = openRun;
        this.addClass('runlab-jobs-panel');
    }
    get poller() {
        return this.model.poller;
    }
    render() {
        return (React.createElement(UseSignal, { signal: this.model.changed }, () => React.createElement(JobsView, { model: this.model, openRun: this.openRun })));
    }
}
//# sourceMappingURL=jobs.js.map