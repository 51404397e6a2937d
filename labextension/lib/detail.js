// One run in the main area: tabs for its overview, inputs, parameters, results, artifacts (with previews),
// iterations (sweeps) and its log (tailed live), and the actions abort, rerun, delete, copy uid.
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { UseSignal } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { durationText, elapsed, isTerminal, relativeTime, timestamp, valueText } from './format';
import { explain, StateBadge } from './jobs';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';
export const TABS = ['Overview', 'Inputs', 'Parameters', 'Results', 'Artifacts', 'Iterations', 'Logs'];
export class RunModel {
    constructor(client, uid) {
        this.client = client;
        this.uid = uid;
        this.run = null;
        this.error = null;
        this.tab = 'Overview';
        this.log = '';
        this.logOffset = 0;
        this.follow = true;
        this.preview = null;
        this.previewKey = null;
        this.busy = false;
        this.deleted = false;
        this._stale = false;
        this._changed = new Signal(this);
        this.poller = new Poller({
            interval: 1000,
            maxInterval: 10000,
            task: () => this.refresh(),
            onError: error => {
                this.error = explain(error);
                this._changed.emit();
            }
        });
    }
    get changed() {
        return this._changed;
    }
    async refresh() {
        if (this.deleted) {
            return;
        }
        if (!this.run || !isTerminal(this.run.status.state) || this._stale) {
            this._stale = false;
            this.run = await this.client.run(this.uid);
        }
        if (this.tab === 'Logs') {
            await this.readLog();
        }
        this.error = null;
        this._changed.emit();
        if (this.run && isTerminal(this.run.status.state) && this.tab !== 'Logs') {
            this.poller.stop(); // nothing changes any more
        }
    }
    async readLog() {
        // Read until the end: a big log arrives in pieces, each from the last offset.
        for (let i = 0; i < 50; i++) {
            const piece = await this.client.log(this.uid, 0, this.logOffset);
            if (!piece.text) {
                break;
            }
            this.log += piece.text;
            this.logOffset = piece.offset;
        }
    }
    setTab(tab) {
        this.tab = tab;
        this._changed.emit();
        this.poller.start();
        void this.poller.tick();
    }
    async openPreview(artifact) {
        this.previewKey = artifact.key;
        this.preview = null;
        this._changed.emit();
        try {
            this.preview = await this.client.preview(this.uid, artifact.producer.iteration, artifact.key);
        }
        catch (error) {
            this.preview = { kind: 'error', title: artifact.key, path: artifact.target_path, text: explain(error) };
        }
        this._changed.emit();
    }
    async act(action) {
        this.busy = true;
        this._changed.emit();
        try {
            if (action === 'abort') {
                await this.client.abort(this.uid);
            }
            else if (action === 'rerun') {
                return (await this.client.rerun(this.uid)).uid;
            }
            else {
                await this.client.remove(this.uid);
                this.deleted = true;
            }
            this._stale = true;
            this.poller.start();
            return null;
        }
        catch (error) {
            this.error = explain(error);
            return null;
        }
        finally {
            this.busy = false;
            this._changed.emit();
        }
    }
}
function KeyValues(props) {
    const entries = Object.entries(props.values ?? {});
    if (!entries.length) {
        return React.createElement("div", { className: "runlab-empty" }, props.empty);
    }
    return (React.createElement("table", { className: "runlab-table" },
        React.createElement("tbody", null, entries.map(([key, value]) => (React.createElement("tr", { key: key },
            React.createElement("th", { scope: "row" }, key),
            React.createElement("td", { className: "runlab-value" }, valueText(value))))))));
}
function Overview(props) {
    const { run } = props;
    const rows = [
        ['uid', run.metadata.uid],
        ['name', run.metadata.name],
        ['project', run.metadata.project],
        ['state', React.createElement(StateBadge, { key: "state", state: run.status.state, title: run.status.error })],
        ['started', `${timestamp(run.status.start_time)} (${relativeTime(run.status.start_time)})`],
        ['ended', timestamp(run.status.end_time)],
        ['duration', durationText(elapsed(run.status.state, run.status.start_time, run.status.duration))],
        ['function', run.spec.function],
        ['handler', run.spec.handler],
        ['kind', run.metadata.labels.kind ?? ''],
        ['labels', Object.entries(run.metadata.labels).map(([k, v]) => `${k}=${v}`).join(', ')]
    ];
    if (run.status.progress && !isTerminal(run.status.state)) {
        const p = run.status.progress;
        rows.push(['progress', `${p.done} of ${p.total} ${p.unit}s`]);
    }
    return (React.createElement("div", null,
        React.createElement("table", { className: "runlab-table runlab-overview" },
            React.createElement("tbody", null, rows.map(([key, value]) => (React.createElement("tr", { key: key },
                React.createElement("th", { scope: "row" }, key),
                React.createElement("td", null, value)))))),
        props.notebookPath && (React.createElement("button", { className: "jp-mod-styled", onClick: () => props.actions.openFile(props.notebookPath) }, "Open the notebook that ran it")),
        run.status.error && (React.createElement("div", { className: "runlab-error-box" },
            React.createElement("div", { className: "runlab-error" }, run.status.error),
            run.status.traceback && React.createElement("pre", { className: "runlab-pre" }, run.status.traceback)))));
}
function PreviewView(props) {
    const { preview } = props;
    if (!props.loadingKey) {
        return null;
    }
    if (!preview) {
        return React.createElement("div", { className: "runlab-muted" },
            "loading ",
            props.loadingKey,
            "\u2026");
    }
    switch (preview.kind) {
        case 'table': {
            const shape = preview.shape ?? [];
            return (React.createElement("div", { className: "runlab-preview", "data-kind": "table" },
                React.createElement("div", { className: "runlab-muted" },
                    shape[0] ?? '?',
                    " rows \u00D7 ",
                    shape[1] ?? preview.columns?.length,
                    " columns",
                    preview.rows && shape[0] && preview.rows.length < shape[0] ? ` (first ${preview.rows.length})` : ''),
                React.createElement("table", { className: "runlab-table" },
                    React.createElement("thead", null,
                        React.createElement("tr", null, (preview.columns ?? []).map(c => (React.createElement("th", { key: c }, c))))),
                    React.createElement("tbody", null, (preview.rows ?? []).map((row, i) => (React.createElement("tr", { key: i }, row.map((v, j) => (React.createElement("td", { key: j }, valueText(v)))))))))));
        }
        case 'image':
            return preview.src?.startsWith('data:image/') ? (React.createElement("div", { className: "runlab-preview", "data-kind": "image" },
                React.createElement("img", { className: "runlab-image", src: preview.src, alt: preview.title }))) : null;
        case 'html':
            return (React.createElement("div", { className: "runlab-preview", "data-kind": "html" },
                React.createElement("iframe", { className: "runlab-frame", sandbox: "allow-scripts", srcDoc: preview.html, title: preview.title })));
        default:
            return (React.createElement("div", { className: "runlab-preview", "data-kind": preview.kind },
                preview.note && React.createElement("div", { className: "runlab-muted" }, preview.note),
                React.createElement("pre", { className: preview.kind === 'error' ? 'runlab-pre runlab-error' : 'runlab-pre' }, preview.text)));
    }
}
function Artifacts(props) {
    const { model, actions } = props;
    const artifacts = (model.run?.status.artifacts ?? []);
    if (!artifacts.length) {
        return React.createElement("div", { className: "runlab-empty" }, "This run logged no artifacts.");
    }
    return (React.createElement("div", null,
        React.createElement("table", { className: "runlab-table runlab-artifacts" },
            React.createElement("thead", null,
                React.createElement("tr", null,
                    React.createElement("th", null, "key"),
                    React.createElement("th", null, "kind"),
                    React.createElement("th", null, "size"),
                    React.createElement("th", null, "path"),
                    React.createElement("th", null))),
            React.createElement("tbody", null, artifacts.map(a => (React.createElement("tr", { key: a.key, className: model.previewKey === a.key ? 'runlab-selected' : '' },
                React.createElement("td", null,
                    React.createElement("button", { className: "runlab-link", "data-artifact": a.key, onClick: () => void model.openPreview(a) }, a.key)),
                React.createElement("td", null, a.kind),
                React.createElement("td", null, a.size === null ? '' : `${a.size.toLocaleString()} B`),
                React.createElement("td", { className: "runlab-path", title: a.target_path }, a.target_path),
                React.createElement("td", { className: "runlab-actions" },
                    React.createElement("a", { href: model.client.artifactUrl(model.uid, a.producer.iteration, a.key, true), download: true }, "Download"),
                    a.root_path && (React.createElement("button", { className: "runlab-link", onClick: () => actions.openFile(a.root_path) }, "Open")))))))),
        React.createElement(PreviewView, { preview: model.preview, loadingKey: model.previewKey })));
}
function Iterations(props) {
    const rows = props.run.status.iterations ?? [];
    const [sort, setSort] = React.useState(null);
    if (!rows.length) {
        return React.createElement("div", { className: "runlab-empty" }, "Not a hyper-parameter run: no iterations.");
    }
    const columns = Array.from(new Set(rows.flatMap(r => Object.keys(r))));
    const sorted = [...rows];
    if (sort) {
        const sign = sort.descending ? -1 : 1;
        sorted.sort((a, b) => {
            const x = a[sort.column];
            const y = b[sort.column];
            if (typeof x === 'number' && typeof y === 'number') {
                return sign * (x - y);
            }
            return sign * valueText(x).localeCompare(valueText(y), undefined, { numeric: true });
        });
    }
    const best = props.run.status.best_iteration;
    return (React.createElement("table", { className: "runlab-table runlab-iterations" },
        React.createElement("thead", null,
            React.createElement("tr", null, columns.map(c => (React.createElement("th", { key: c, tabIndex: 0, className: "runlab-sortable", onClick: () => setSort({ column: c, descending: sort?.column === c ? !sort.descending : false }), onKeyDown: e => e.key === 'Enter' &&
                    setSort({ column: c, descending: sort?.column === c ? !sort.descending : false }) },
                c,
                sort?.column === c ? (sort.descending ? ' ▼' : ' ▲') : ''))))),
        React.createElement("tbody", null, sorted.map((row, i) => (React.createElement("tr", { key: i, className: row.iter === best ? 'runlab-best' : '', title: row.iter === best ? 'best iteration' : '' }, columns.map(c => (React.createElement("td", { key: c },
            valueText(row[c]),
            c === 'iter' && row.iter === best ? ' ★' : '')))))))));
}
function Logs(props) {
    const { model } = props;
    const ref = React.useRef(null);
    React.useEffect(() => {
        if (model.follow && ref.current) {
            ref.current.scrollTop = ref.current.scrollHeight;
        }
    });
    const live = model.run && !isTerminal(model.run.status.state);
    return (React.createElement("div", { className: "runlab-logs" },
        React.createElement("label", { className: "runlab-follow" },
            React.createElement("input", { type: "checkbox", checked: model.follow, onChange: e => {
                    model.follow = e.target.checked;
                    model.setTab('Logs');
                } }),
            "Follow"),
        live && React.createElement("span", { className: "runlab-muted" }, " live: new output appears as the run writes it"),
        React.createElement("pre", { ref: ref, className: "runlab-pre runlab-log", "data-offset": model.logOffset }, model.log || (live ? 'waiting for output…' : 'This run wrote nothing.'))));
}
function RunView(props) {
    const { model, actions } = props;
    const run = model.run;
    if (model.deleted) {
        return React.createElement("div", { className: "runlab-empty" },
            "Run ",
            model.uid,
            " was deleted.");
    }
    if (!run) {
        return React.createElement("div", { className: "runlab-run" }, model.error ? React.createElement("div", { className: "runlab-error" }, model.error) : 'loading…');
    }
    const terminal = isTerminal(run.status.state);
    const confirmDelete = async () => {
        const answer = await showDialog({
            title: 'Delete this run?',
            body: `Run ${run.metadata.name} (${run.metadata.uid.slice(0, 8)}) will be deleted with its log, ` +
                `its ${run.status.artifacts.length} artifact(s) and their files. This cannot be undone.`,
            buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
        });
        if (answer.button.accept && (await model.act('delete')) === null && model.deleted) {
            actions.closed();
        }
    };
    const tabs = TABS.filter(t => t !== 'Iterations' || (run.status.iterations ?? []).length > 0);
    return (React.createElement("div", { className: "runlab-run", "data-uid": run.metadata.uid, "data-state": run.status.state },
        React.createElement("div", { className: "runlab-run-header" },
            React.createElement("h2", { title: run.metadata.uid },
                run.metadata.name,
                " ",
                React.createElement("span", { className: "runlab-uid" }, run.metadata.uid.slice(0, 8))),
            React.createElement(StateBadge, { state: run.status.state, title: run.status.error }),
            React.createElement("div", { className: "runlab-toolbar" },
                React.createElement("button", { className: "jp-mod-styled", onClick: () => Clipboard.copyToSystem(run.metadata.uid) }, "Copy uid"),
                !terminal && (React.createElement("button", { className: "jp-mod-styled jp-mod-warn", disabled: model.busy, onClick: () => void model.act('abort') }, "Abort")),
                React.createElement("button", { className: "jp-mod-styled", disabled: model.busy, onClick: async () => {
                        const uid = await model.act('rerun');
                        if (uid) {
                            actions.openRun(uid);
                        }
                    } }, "Rerun"),
                React.createElement("button", { className: "jp-mod-styled jp-mod-warn", disabled: model.busy || !terminal, onClick: confirmDelete, title: terminal ? 'Delete the run' : 'Abort the run before deleting it' }, "Delete"))),
        model.error && (React.createElement("div", { className: "runlab-error", role: "alert" }, model.error)),
        React.createElement("div", { className: "runlab-tabs", role: "tablist" }, tabs.map(tab => (React.createElement("button", { key: tab, role: "tab", "aria-selected": model.tab === tab, className: model.tab === tab ? 'runlab-tab runlab-tab-active' : 'runlab-tab', onClick: () => model.setTab(tab) }, tab)))),
        React.createElement("div", { className: "runlab-tab-body", role: "tabpanel" },
            model.tab === 'Overview' && (React.createElement(Overview, { run: run, actions: actions, notebookPath: run.notebook_path ?? null })),
            model.tab === 'Inputs' && React.createElement(KeyValues, { values: run.spec.inputs, empty: "No inputs." }),
            model.tab === 'Parameters' && React.createElement(KeyValues, { values: run.spec.parameters, empty: "No parameters." }),
            model.tab === 'Results' && React.createElement(KeyValues, { values: run.status.results, empty: "No results (yet)." }),
            model.tab === 'Artifacts' && React.createElement(Artifacts, { model: model, actions: actions }),
            model.tab === 'Iterations' && React.createElement(Iterations, { run: run }),
            model.tab === 'Logs' && React.createElement(Logs, { model: model }))));
}
/** The main-area widget of one run: polls while it is visible and the run is not finished. */
export class RunPanel extends PolledReactWidget {
    constructor(model, actions) {
        super();
        this.model = model;
        this.actions = actions;
        this.addClass('runlab-run-panel');
        this.id = `runlab-run-${model.uid}`;
        this.title.label = `Run ${model.uid.slice(0, 8)}`;
        this.title.closable = true;
        model.changed.connect(() => {
            if (model.run) {
                this.title.label = `${model.run.metadata.name} ${model.uid.slice(0, 8)}`;
                this.title.caption = `${model.run.metadata.name} (${model.uid}): ${model.run.status.state}`;
            }
        });
    }
    get poller() {
        return this.model.poller;
    }
    render() {
        return (React.createElement(UseSignal, { signal: this.model.changed }, () => React.createElement(RunView, { model: this.model, actions: this.actions })));
    }
}
//# sourceMappingURL=detail.js.map