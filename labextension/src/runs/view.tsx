// The Runs view: every run of a project (or of one job) in a sortable, filterable, paged table in the main
// area, with picked param/result columns, sweeps opened in place and a selection of runs.

import {
  caretDownIcon,
  caretLeftIcon,
  caretRightIcon,
  deleteIcon,
  HTMLSelect,
  InputGroup,
  refreshIcon,
  searchIcon,
  spreadsheetIcon,
  tableRowsIcon,
  ToolbarButtonComponent,
  UseSignal
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Menu } from '@lumino/widgets';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { isLive, RunActions } from '../actions/runActions';
import { IRun } from '../api';
import { ErrorAlert } from '../components/errorText';
import { focusOnActivate } from '../components/focus';
import { RowActions } from '../components/rowActions';
import { CachedMark } from '../components/cached';
import { StateBadge } from '../components/stateBadge';
import { sweepText } from '../detail/iterations';
import { When } from '../detail/when';
import { durationText, elapsed, valueText } from '../format';
import { Poller } from '../poll';
import { PolledReactWidget } from '../polled';
import { columnId, columnLabel, columnValue, dayStart, fieldName, FIXED_ORDER, IColumn } from './fields';
import { PAGE_SIZE, RunsModel } from './model';

const STATES = ['completed', 'error', 'running', 'pending', 'aborted', 'aborting', 'created'];

/** What the view asks of JupyterLab: a run's own view. */
export interface IRunsActions {
  openRun(uid: string, iteration: number): void;
  /** The compare view of these runs (uids). */
  compare?(uids: string[]): void;
  /** Abort, rerun and delete from a row, and delete the selected runs. */
  runs?: RunActions;
}

/** The column picker: a JupyterLab menu of the project's params and results (and labels), each checkable. */
function openColumnMenu(model: RunsModel, anchor: HTMLElement): void {
  const commands = new CommandRegistry();
  const menu = new Menu({ commands });
  menu.addClass('runlab-runs-columns-menu');
  const fields = model.fields;
  const sections = [['results', 'Results'], ['params', 'Parameters'], ['labels', 'Labels']] as const;
  for (const [section, title] of sections) {
    const listed = fields?.[section] ?? [];
    if (!listed.length) {
      continue;
    }
    const sub = new Menu({ commands });
    sub.title.label = title;
    for (const field of listed) {
      const column: IColumn = { section, key: field.key };
      const id = `runlab-runs-column:${columnId(column)}`;
      commands.addCommand(id, {
        label: `${field.key}  (${field.kind}, ${field.runs} runs)`,
        isToggled: () => model.shownColumns.some(c => columnId(c) === columnId(column)),
        execute: () => model.toggleColumn(column)
      });
      sub.addItem({ command: id });
    }
    menu.addItem({ type: 'submenu', submenu: sub });
  }
  if (!menu.items.length) {
    commands.addCommand('runlab-runs-column:none', { label: 'No params or results in these runs', isEnabled: () => false, execute: () => undefined });
    menu.addItem({ command: 'runlab-runs-column:none' });
  }
  const box = anchor.getBoundingClientRect();
  menu.aboutToClose.connect(() => setTimeout(() => menu.dispose()));
  menu.open(box.left, box.bottom);
}

function SortHeader(props: { model: RunsModel; by: string; label: string; title?: string; className?: string }): JSX.Element {
  const { model, by, label } = props;
  const sorted = model.order?.by === by ? (model.order.descending ? 'descending' : 'ascending') : 'none';
  return (
    <th className={props.className} aria-sort={sorted} data-order={by}>
      <button className="runlab-runs-sort" title={props.title ?? `Sort by ${label}`} onClick={() => void model.sortBy(by)}>
        <span className="runlab-runs-sort-label">{label}</span>
        {sorted !== 'none' && <span className="runlab-runs-sort-mark" aria-hidden="true">{sorted === 'descending' ? '▼' : '▲'}</span>}
      </button>
    </th>
  );
}

function Cell(props: { value: unknown }): JSX.Element {
  const text = props.value === undefined ? '' : valueText(props.value);
  return (
    <td className="runlab-runs-value" title={text}>
      {text}
    </td>
  );
}

function RunRow(props: {
  model: RunsModel;
  run: IRun;
  columns: IColumn[];
  now: number;
  actions: IRunsActions;
  child?: boolean;
}): JSX.Element {
  const { model, run, columns, now, actions, child } = props;
  const uid = run.metadata.uid;
  const iteration = run.metadata.iteration;
  const sweep = !child && sweepText(run);
  const open = model.expanded.has(uid);
  const seconds = elapsed(run.status.state, run.status.start_time, run.status.duration, now);
  const openRun = () => actions.openRun(uid, iteration);
  return (
    <tr className={`runlab-runs-row${child ? ' runlab-runs-child' : ''}`} tabIndex={0} data-uid={uid}
      data-iteration={iteration} aria-selected={!child && model.selected.has(uid)} onClick={openRun}
      onKeyDown={event => event.key === 'Enter' && event.target === event.currentTarget && openRun()}>
      <td className="runlab-runs-check" onClick={event => event.stopPropagation()}>
        {!child && (
          <input type="checkbox" aria-label={`Select run ${uid}`} checked={model.selected.has(uid)}
            onChange={() => undefined}
            onClick={event => model.select(uid, event.currentTarget.checked, event.shiftKey)} />
        )}
      </td>
      <td className="runlab-runs-expand" onClick={event => event.stopPropagation()}>
        {sweep && (
          <ToolbarButtonComponent className="runlab-runs-toggle" icon={open ? caretDownIcon : caretRightIcon}
            tooltip={open ? 'Hide the iterations' : `Show the iterations (${sweep})`} pressed={open}
            onClick={() => void model.toggleSweep(uid)} />
        )}
      </td>
      <td className="runlab-runs-name" title={run.metadata.name}>
        {child ? `#${iteration}` : run.metadata.name}
        <CachedMark run={run} />
      </td>
      <td>
        <StateBadge state={run.status.state} title={run.status.error} />
      </td>
      <td className="runlab-runs-start">
        <When iso={run.status.start_time} />
      </td>
      <td className="runlab-runs-duration" title={seconds === null ? '' : durationText(seconds)}>
        {durationText(seconds, true)}
      </td>
      <td className="runlab-runs-uid" title={uid}>
        {uid.slice(0, 8)}
      </td>
      {columns.map(column => (
        <Cell key={columnId(column)} value={columnValue(run, column)} />
      ))}
      <td className="runlab-runs-notes" title={run.metadata.notes || undefined}>
        {child ? '' : (run.metadata.notes ?? '').split('\n')[0]}
      </td>
      {actions.runs && (
        <td className="runlab-runs-actions" onClick={event => event.stopPropagation()}>
          {!child && <RowActions run={run} actions={actions.runs} changed={() => void model.load()} />}
        </td>
      )}
    </tr>
  );
}

function Filters(props: { model: RunsModel; actions: IRunsActions }): JSX.Element {
  const { model, actions } = props;
  const [label, setLabel] = React.useState(model.label);
  const [jump, setJump] = React.useState('');
  const example = model.fields?.results[0] ? `${fieldName({ section: 'results', key: model.fields.results[0].key })} > 0.5` : "state == 'completed'";
  return (
    <div className="runlab-runs-filters">
      <div className="runlab-runs-filterbox">
        <InputGroup type="search" className="runlab-runs-filter" aria-label="Filter runs" rightIcon={searchIcon}
          placeholder={`Filter, e.g. ${example} (Enter)`} value={model.draft}
          onChange={event => model.setDraft(event.target.value)}
          onKeyDown={event => event.key === 'Enter' && void model.applyFilter()} />
        {model.filterError && (
          <div className="runlab-runs-filter-error" role="alert" title={model.filterError}>
            {model.filterError}
          </div>
        )}
      </div>
      <HTMLSelect className="runlab-runs-state" aria-label="State" value={model.state}
        onChange={event => void model.setState(event.currentTarget.value)}
        options={[{ value: '', label: 'Any state' }, ...STATES.map(s => ({ value: s, label: s }))]} />
      <InputGroup className="runlab-runs-label" aria-label="Label" placeholder="label key=value" value={label}
        onChange={event => setLabel(event.target.value)}
        onKeyDown={event => event.key === 'Enter' && void model.setLabel(label)}
        onBlur={() => label !== model.label && void model.setLabel(label)} />
      <label className="runlab-runs-date">
        since
        <input type="date" className="jp-mod-styled" aria-label="Started since" value={model.since && toDay(model.since)}
          onChange={event => void model.setDates(event.target.value ? dayStart(event.target.value) : '', model.until)} />
      </label>
      <label className="runlab-runs-date">
        until
        <input type="date" className="jp-mod-styled" aria-label="Started until" value={model.until && toDay(model.until, true)}
          onChange={event => void model.setDates(model.since, event.target.value ? dayStart(event.target.value, true) : '')} />
      </label>
      <form className="runlab-runs-jump" onSubmit={event => {
        event.preventDefault();
        void model.findUid(jump).then(uid => uid && actions.openRun(uid, 0));
      }}>
        <InputGroup aria-label="Jump to uid" placeholder="jump to uid" value={jump}
          onChange={event => setJump(event.target.value)} />
      </form>
    </div>
  );
}

/** The local day of an ISO time set from a date input (for "until": the day before its midnight). */
function toDay(iso: string, until = false): string {
  const date = new Date(iso);
  if (until) {
    date.setDate(date.getDate() - 1);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function Pager(props: { model: RunsModel }): JSX.Element {
  const { model } = props;
  const first = model.runs.length ? model.offset + 1 : 0;
  const last = model.offset + model.runs.length;
  const of = model.nextOffset === null ? `${last}` : 'many';
  // while another page (or listing) is on its way the range stays that of the rows shown, and paging waits
  const busy = model.changing;
  return (
    <div className="runlab-runs-pager">
      <span className="runlab-runs-range" aria-live="polite">
        {model.runs.length ? `${first}–${last} of ${of}` : 'No runs'}
      </span>
      <span className="runlab-runs-page">page {Math.floor(model.offset / PAGE_SIZE) + 1}</span>
      {busy && <span className="runlab-runs-loading" role="status">Loading…</span>}
      <button className="jp-mod-styled runlab-runs-first" disabled={busy || model.offset === 0} onClick={() => void model.page(0)}>
        First
      </button>
      <ToolbarButtonComponent className="runlab-runs-prev" icon={caretLeftIcon} tooltip="Previous page"
        enabled={!busy && model.offset > 0} onClick={() => void model.page(model.offset - PAGE_SIZE)} />
      <ToolbarButtonComponent className="runlab-runs-next" icon={caretRightIcon} tooltip="Next page"
        enabled={!busy && model.nextOffset !== null} onClick={() => model.nextOffset !== null && void model.page(model.nextOffset)} />
    </div>
  );
}

/** "Delete N runs": the selected runs, after one confirmation that says how many of them still run (those
 * are skipped, and the notification says so). */
function BulkDelete(props: { model: RunsModel; actions: RunActions }): JSX.Element {
  const { model, actions } = props;
  const count = model.selected.size;
  const remove = async () => {
    const uids = [...model.selected];
    const live = model.runs.filter(run => model.selected.has(run.metadata.uid) && isLive(run)).length;
    const answer = await actions.removeMany(uids, live);
    if (answer) {
      model.unselect(answer.deleted);
      await model.load();
    }
  };
  return (
    <ToolbarButtonComponent className="runlab-runs-delete" icon={deleteIcon}
      label={count ? `Delete ${count} run${count === 1 ? '' : 's'}` : 'Delete'}
      tooltip={count ? `Delete the ${count} selected run(s) that ended` : 'Select runs (checkboxes) to delete them'}
      enabled={count > 0} onClick={() => void remove()} />
  );
}

function RunsView(props: { model: RunsModel; actions: IRunsActions }): JSX.Element {
  const { model, actions } = props;
  const now = Date.now();
  const columns = model.shownColumns;
  const picker = React.useRef<HTMLSpanElement>(null);
  const pageSelected = model.runs.length > 0 && model.runs.every(r => model.selected.has(r.metadata.uid));
  return (
    <div className="runlab-runs-view">
      <div className="runlab-runs-toolbar">
        <h2 className="runlab-runs-title" title={model.project}>
          Runs of {model.project}
          {model.job && <span className="runlab-runs-job"> / {model.job}</span>}
        </h2>
        <span ref={picker}>
          <ToolbarButtonComponent className="runlab-runs-columns" icon={tableRowsIcon} label="Columns"
            tooltip="Pick the param and result columns" onClick={() => picker.current && openColumnMenu(model, picker.current)} />
        </span>
        {actions.compare && (
          <ToolbarButtonComponent className="runlab-runs-compare" icon={spreadsheetIcon}
            label={model.selected.size ? `Compare (${model.selected.size})` : 'Compare'}
            tooltip={model.selected.size >= 2 ? `Compare the ${model.selected.size} selected runs side by side`
              : 'Select 2 or more runs (checkboxes, shift-click for a range) to compare them'}
            enabled={model.selected.size >= 2} onClick={() => actions.compare?.([...model.selected])} />
        )}
        {actions.runs && <BulkDelete model={model} actions={actions.runs} />}
        <ToolbarButtonComponent className="runlab-runs-refresh" icon={refreshIcon} tooltip="Refresh"
          enabled={!model.changing} onClick={() => void model.load()} />
      </div>
      <Filters model={model} actions={actions} />
      {model.jumpMessage && <div className="runlab-runs-jump-message" role="status">{model.jumpMessage}</div>}
      <ErrorAlert message={model.error} />
      {model.fields?.sampled && (
        <div className="runlab-runs-note">The column list comes from the newest {model.fields.runs} runs.</div>
      )}
      <div className="runlab-runs-selection" role="status">
        <span className="runlab-runs-count">{model.selected.size} selected</span>
        <button className="jp-mod-styled runlab-runs-clear" disabled={!model.selected.size} onClick={() => model.clearSelection()}>
          Clear
        </button>
      </div>
      <div className="runlab-runs-scroll">
        <table className="runlab-runs-table" aria-busy={model.loading} data-changing={model.changing || undefined}>
          <thead>
            <tr>
              <th className="runlab-runs-check">
                <input type="checkbox" aria-label="Select the runs of this page" checked={pageSelected}
                  disabled={model.changing}
                  onChange={event => model.selectPage(event.currentTarget.checked)} />
              </th>
              <th className="runlab-runs-expand" aria-label="Iterations" />
              {Object.keys(FIXED_ORDER).map(name => (
                <SortHeader key={name} model={model} by={FIXED_ORDER[name]} label={name} />
              ))}
              {columns.map(column => (
                <SortHeader key={columnId(column)} model={model} by={fieldName(column)} label={columnLabel(column)}
                  className="runlab-runs-picked" />
              ))}
              <th className="runlab-runs-notes">notes</th>
              {actions.runs && <th className="runlab-runs-actions" aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {model.runs.map(run => (
              <React.Fragment key={run.metadata.uid}>
                <RunRow model={model} run={run} columns={columns} now={now} actions={actions} />
                {model.expanded.has(run.metadata.uid) &&
                  (model.expanded.get(run.metadata.uid) ?? []).map(child => (
                    <RunRow key={`${child.metadata.uid}-${child.metadata.iteration}`} model={model} run={child}
                      columns={columns} now={now} actions={actions} child />
                  ))}
              </React.Fragment>
            ))}
          </tbody>
        </table>
        {model.loaded && !model.runs.length && !model.error && (
          <div className="runlab-runs-empty">No runs match.</div>
        )}
        {!model.loaded && <div className="runlab-runs-empty">Loading…</div>}
      </div>
      <Pager model={model} />
    </div>
  );
}

/** The main-area widget: its page is asked again while it shows a live run and the tab is visible. */
export class RunsPanel extends PolledReactWidget {
  constructor(
    readonly model: RunsModel,
    private readonly actions: IRunsActions
  ) {
    super();
    this.addClass('runlab-runs-panel');
    this.node.tabIndex = -1; // focusable, so that showing it makes it JupyterLab's current widget
    this.title.icon = tableRowsIcon;
    this.title.closable = true;
    this.title.label = `Runs — ${model.project}${model.job ? ` / ${model.job}` : ''}`;
    this.title.caption = `Every run of ${model.job ? `job ${model.job} of ` : ''}project ${model.project}`;
    void model.start();
  }

  protected get poller(): Poller {
    return this.model.poller;
  }

  /** The uids of the selected runs (for commands that act on several runs). */
  get selection(): string[] {
    return [...this.model.selected];
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    focusOnActivate(this.node);
  }

  render(): JSX.Element {
    return <UseSignal signal={this.model.changed}>{() => <RunsView model={this.model} actions={this.actions} />}</UseSignal>;
  }
}
