// The sidebar's Schedules view: each schedule's cron in words, next run, last run with its state, and
// pause/resume, run now and delete.
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { relativeTime, timestamp } from './format';
import { explain, StateBadge } from './jobs';
export class SchedulesModel {
    constructor(client) {
        this.client = client;
        this.schedules = [];
        this.error = null;
        this.loaded = false;
        this.busy = null;
        this.expanded = null;
        this.events = [];
        this._changed = new Signal(this);
    }
    get changed() {
        return this._changed;
    }
    async refresh(project) {
        this.schedules = project ? await this.client.schedules(project) : [];
        const open = this.schedules.find(s => s.name === this.expanded);
        this.events = open ? await this.client.scheduleEvents(open.project, open.name) : [];
        this.error = null;
        this.loaded = true;
        this._changed.emit();
    }
    async toggle(schedule) {
        this.expanded = this.expanded === schedule.name ? null : schedule.name;
        this.events = [];
        this._changed.emit();
        if (this.expanded) {
            try {
                this.events = await this.client.scheduleEvents(schedule.project, schedule.name);
            }
            catch (error) {
                this.error = explain(error);
            }
            this._changed.emit();
        }
    }
    async act(schedule, action) {
        this.busy = schedule.name;
        this._changed.emit();
        try {
            if (action === 'delete') {
                await this.client.deleteSchedule(schedule.project, schedule.name);
            }
            else {
                await this.client.scheduleAction(schedule.project, schedule.name, action);
            }
            await this.refresh(schedule.project);
        }
        catch (error) {
            this.error = explain(error);
        }
        finally {
            this.busy = null;
            this._changed.emit();
        }
    }
}
export function SchedulesView(props) {
    const { model, openRun } = props;
    const now = Date.now();
    const remove = async (schedule) => {
        const answer = await showDialog({
            title: 'Delete this schedule?',
            body: `Schedule ${schedule.name} (${schedule.description}) stops firing. The runs it started stay.`,
            buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
        });
        if (answer.button.accept) {
            await model.act(schedule, 'delete');
        }
    };
    return (React.createElement("div", { className: "runlab-schedules" },
        model.error && (React.createElement("div", { className: "runlab-error", role: "alert" }, model.error)),
        model.loaded && !model.schedules.length && !model.error && (React.createElement("div", { className: "runlab-empty" }, "No schedules in this project. `project.run_function(\"trainer\", schedule=\"0 */6 * * *\")` makes one.")),
        React.createElement("ul", { className: "runlab-job-list", role: "list" }, model.schedules.map(schedule => (React.createElement("li", { key: schedule.name, className: "runlab-schedule", "data-schedule": schedule.name },
            React.createElement("div", { className: "runlab-schedule-head" },
                React.createElement("span", { className: "runlab-job-name", title: `${schedule.name}: ${schedule.function}` }, schedule.name),
                schedule.paused && React.createElement("span", { className: "runlab-badge runlab-state-paused" }, "paused")),
            React.createElement("div", { className: "runlab-muted", title: `${schedule.cron} ${schedule.timezone || '(local time)'}` },
                schedule.description,
                " \u00B7 ",
                schedule.concurrency),
            React.createElement("div", { className: "runlab-muted" }, schedule.paused ? 'paused' : (React.createElement("span", { title: timestamp(schedule.next_run) },
                "next ",
                relativeTime(schedule.next_run, now)))),
            React.createElement("div", { className: "runlab-schedule-last" },
                schedule.last_uid ? (React.createElement("button", { className: "runlab-link", onClick: () => openRun(schedule.last_uid), title: timestamp(schedule.last_run) },
                    "last ",
                    relativeTime(schedule.last_run, now))) : (React.createElement("span", { className: "runlab-muted" }, "never fired")),
                schedule.last_state && React.createElement(StateBadge, { state: schedule.last_state })),
            React.createElement("div", { className: "runlab-schedule-actions" },
                React.createElement("button", { className: "jp-mod-styled", disabled: model.busy === schedule.name, onClick: () => void model.act(schedule, schedule.paused ? 'resume' : 'pause') }, schedule.paused ? 'Resume' : 'Pause'),
                React.createElement("button", { className: "jp-mod-styled", disabled: model.busy === schedule.name, onClick: () => void model.act(schedule, 'run-now') }, "Run now"),
                React.createElement("button", { className: "jp-mod-styled jp-mod-warn", disabled: model.busy === schedule.name, onClick: () => void remove(schedule) }, "Delete")),
            React.createElement("button", { className: "runlab-link runlab-history-toggle", "aria-expanded": model.expanded === schedule.name, onClick: () => void model.toggle(schedule) }, model.expanded === schedule.name ? 'Hide history' : 'History'),
            model.expanded === schedule.name && (React.createElement("ul", { className: "runlab-events", role: "list" },
                !model.events.length && React.createElement("li", { className: "runlab-muted" }, "Nothing yet: it has not been due."),
                model.events.map((event, i) => (React.createElement("li", { key: i, className: `runlab-event runlab-event-${event.event}`, "data-event": event.event },
                    React.createElement("span", { className: "runlab-muted", title: timestamp(event.time) }, relativeTime(event.time, now)),
                    ' ',
                    React.createElement("strong", null, event.event),
                    ' ',
                    event.run_uid ? (React.createElement("button", { className: "runlab-link", onClick: () => openRun(event.run_uid) }, event.run_uid.slice(0, 8))) : null,
                    ' ',
                    React.createElement("span", { className: "runlab-muted" }, event.message))))))))))));
}
//# sourceMappingURL=schedules.js.map