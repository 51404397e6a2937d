// The "Edit schedule" dialog: cron (in words as it is typed), time zone, policy, params, inputs and keep_runs.
// Saving sends only what changed; the server checks it all and saves nothing on an error, which the dialog
// shows inline while it stays open with what was typed.

import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { addIcon, closeIcon, HTMLSelect, InputGroup, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IScheduleChanges, ISchedule } from '../api';
import { ErrorAlert } from '../components/errorText';
import { describeCron, paramText, paramValue } from './cronWords';

const POLICIES: { value: ISchedule['concurrency']; label: string }[] = [
  { value: 'forbid', label: 'forbid: skip while the last run goes' },
  { value: 'allow', label: 'allow: runs may overlap' },
  { value: 'replace', label: 'replace: abort the last run, start anew' }
];

type Row = { key: string; value: string };

/** What the form holds: text as typed. */
interface IForm {
  cron: string;
  timezone: string;
  concurrency: ISchedule['concurrency'];
  params: Row[];
  inputs: Row[];
  keepRuns: string;
}

function formOf(schedule: ISchedule): IForm {
  const task = schedule.task?.task ?? {};
  return {
    cron: schedule.cron,
    timezone: schedule.timezone,
    concurrency: schedule.concurrency,
    params: Object.entries(task.params ?? {}).map(([key, value]) => ({ key, value: paramText(value) })),
    inputs: Object.entries(task.inputs ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    keepRuns: schedule.keep_runs ? String(schedule.keep_runs) : ''
  };
}

/** The fields that differ from the schedule, or a message saying what in the form is wrong. */
export function changesOf(schedule: ISchedule, form: IForm): IScheduleChanges | string {
  const changes: IScheduleChanges = {};
  if (form.cron.trim() !== schedule.cron) {
    changes.cron = form.cron.trim();
  }
  if (form.timezone.trim() !== schedule.timezone) {
    changes.timezone = form.timezone.trim();
  }
  if (form.concurrency !== schedule.concurrency) {
    changes.concurrency = form.concurrency;
  }
  for (const [field, rows] of [['params', form.params], ['inputs', form.inputs]] as const) {
    const named = rows.filter(row => row.key.trim() || row.value.trim());
    const keys = named.map(row => row.key.trim());
    if (keys.some(key => !key)) {
      return `Every row of ${field} needs a name.`;
    }
    const twice = keys.find((key, i) => keys.indexOf(key) !== i);
    if (twice) {
      return `${field} has ${twice} twice: give each name once.`;
    }
    const before = formOf(schedule)[field];
    if (JSON.stringify(named.map(r => [r.key.trim(), r.value])) !== JSON.stringify(before.map(r => [r.key, r.value]))) {
      if (field === 'params') {
        changes.params = Object.fromEntries(named.map(row => [row.key.trim(), paramValue(row.value)]));
      } else {
        changes.inputs = Object.fromEntries(named.map(row => [row.key.trim(), row.value.trim()]));
      }
    }
  }
  const keep = form.keepRuns.trim();
  if (keep && !/^\d+$/.test(keep)) {
    return 'Keep runs must be a whole number (empty or 0 keeps every run).';
  }
  const keepRuns = keep ? Number(keep) || null : null;
  if (keepRuns !== schedule.keep_runs) {
    changes.keep_runs = keepRuns;
  }
  return changes;
}

/** Name/value rows with JupyterLab's inputs; a row is added with the + button, removed with ×. */
function Rows(props: { label: string; rows: Row[]; hint: string; onChange: (rows: Row[]) => void }): JSX.Element {
  const { label, rows, hint, onChange } = props;
  const set = (i: number, part: Partial<Row>) => onChange(rows.map((row, j) => (i === j ? { ...row, ...part } : row)));
  return (
    <fieldset className="runlab-schedule-rows" data-field={label.toLowerCase()}>
      <legend>{label}</legend>
      {rows.map((row, i) => (
        <div key={i} className="runlab-schedule-row">
          <InputGroup aria-label={`${label} name ${i + 1}`} placeholder="name" value={row.key}
            onChange={event => set(i, { key: event.target.value })} />
          <InputGroup aria-label={`${label} value ${i + 1}`} placeholder={hint} value={row.value}
            onChange={event => set(i, { value: event.target.value })} />
          <ToolbarButtonComponent icon={closeIcon} tooltip={`Remove ${row.key || 'this row'}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))} />
        </div>
      ))}
      <ToolbarButtonComponent className="runlab-schedule-add" icon={addIcon} label={`Add ${label.toLowerCase()}`}
        tooltip={`Add a row to ${label.toLowerCase()}`} onClick={() => onChange([...rows, { key: '', value: '' }])} />
    </fieldset>
  );
}

function EditForm(props: { body: EditBody }): JSX.Element {
  const { body } = props;
  const [form, setForm] = React.useState<IForm>(body.form);
  const [, redraw] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    body.redraw = redraw;
  }, [body]);
  const update = (part: Partial<IForm>) => {
    const next = { ...form, ...part };
    body.form = next;
    setForm(next);
  };
  const words = describeCron(form.cron);
  const zones = React.useMemo(() => timeZones(), []);
  return (
    <div className="runlab-schedule-edit">
      <ErrorAlert message={body.error} />
      <label className="runlab-schedule-field">
        <span>Cron</span>
        <InputGroup aria-label="Cron" value={form.cron} placeholder="0 */6 * * *"
          onChange={event => update({ cron: event.target.value })} />
      </label>
      <div className={`runlab-schedule-words${words.valid ? '' : ' runlab-schedule-words-bad'}`} aria-live="polite">
        {words.words}
      </div>
      <label className="runlab-schedule-field">
        <span>Time zone</span>
        <InputGroup aria-label="Time zone" value={form.timezone} placeholder="local time of the scheduler"
          list="runlab-time-zones" onChange={event => update({ timezone: event.target.value })} />
        <datalist id="runlab-time-zones">
          {zones.map(zone => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </label>
      <label className="runlab-schedule-field">
        <span>Policy</span>
        <HTMLSelect aria-label="Policy" value={form.concurrency} options={POLICIES}
          onChange={event => update({ concurrency: event.target.value as ISchedule['concurrency'] })} />
      </label>
      <Rows label="Params" rows={form.params} hint="value (JSON or text)" onChange={params => update({ params })} />
      <Rows label="Inputs" rows={form.inputs} hint="path or store:// URI" onChange={inputs => update({ inputs })} />
      <label className="runlab-schedule-field">
        <span>Keep runs</span>
        <InputGroup aria-label="Keep runs" type="number" min={0} value={form.keepRuns} placeholder="all"
          onChange={event => update({ keepRuns: event.target.value })} />
      </label>
      <div className="runlab-muted runlab-schedule-keep-hint">
        The newest ended runs to keep; older ones, with their artifact files, are deleted after each firing.
      </div>
    </div>
  );
}

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? ['UTC', ...intl.supportedValuesOf('timeZone')] : ['UTC'];
}

/** The dialog's body: the form, and the last error of saving it. */
class EditBody extends ReactWidget {
  constructor(readonly schedule: ISchedule) {
    super();
    this.form = formOf(schedule);
    this.addClass('runlab-schedule-edit-body');
  }

  form: IForm;
  error: string | null = null;
  redraw: () => void = () => undefined;

  showError(message: string | null): void {
    this.error = message;
    this.redraw();
  }

  protected render(): JSX.Element {
    return <EditForm body={this} />;
  }
}

/** A dialog whose Save button first saves: on an error it stays open and shows it. */
class SaveDialog extends Dialog<void> {
  constructor(
    private readonly body: EditBody,
    private readonly save: (changes: IScheduleChanges) => Promise<string | null>
  ) {
    super({
      title: `Edit schedule ${body.schedule.name}`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save' })],
      defaultButton: 1,
      focusNodeSelector: 'input'
    });
    this.addClass('runlab-schedule-dialog');
  }

  resolve(index?: number): void {
    if ((index ?? 1) !== 1) {
      super.resolve(index);
      return;
    }
    if (this._saving) {
      return;
    }
    const changes = changesOf(this.body.schedule, this.body.form);
    if (typeof changes === 'string') {
      this.body.showError(changes);
      return;
    }
    if (!Object.keys(changes).length) {
      super.resolve(index);
      return;
    }
    this._saving = true;
    void this.save(changes).then(error => {
      this._saving = false;
      if (error) {
        this.body.showError(error);
      } else {
        super.resolve(index);
      }
    });
  }

  private _saving = false;
}

/** Open the dialog for ``schedule``; ``save`` sends the changes and answers an error message, or null. */
export async function editSchedule(
  schedule: ISchedule,
  save: (changes: IScheduleChanges) => Promise<string | null>
): Promise<void> {
  await new SaveDialog(new EditBody(schedule), save).launch();
}
