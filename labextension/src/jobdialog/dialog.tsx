// The "Run as job" / "Rerun with changes" dialog: JupyterLab's Dialog with a form body. Each change is checked
// by the server (validate_only) and its refusals shown by their field; submitting starts the run (or records
// the schedule), and a refusal then opens the dialog again with the form as it was and the error in place.

import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { addIcon, closeIcon, HTMLSelect, InputGroup, LabIcon, UseSignal } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IDrift, IRerunChanges, IRun, ISourceInfo, ISourceParam, RunlabApiError, RunlabClient } from '../api';
import { DriftWarning } from './drift';
import { formParams, IJobForm, initialText, IPair, jobRequest, JobKind, kernelCode, rerunChanges, valueText } from './form';

/** The kernel of the notebook the dialog was opened from, when it can run the job ("In this kernel"). */
export interface IJobKernel {
  /** Run `code`; the new run's uid (read from `_runlab_job`), or an error. */
  execute: (code: string) => Promise<string>;
}

export interface IJobDialogOptions {
  client: RunlabClient;
  /** The file to run (relative to the server's root), for "Run as job". */
  path?: string;
  /** The run to rerun, for "Rerun with changes". */
  rerunOf?: IRun;
  /** The project to offer first (the Jobs sidebar's). */
  project?: string;
  kernel?: IJobKernel | null;
  /** Why "In this kernel" is not offered (when `kernel` is missing). */
  kernelNote?: string;
  /** The server's root folder (absolute), for the code run in a kernel. */
  root?: string;
}

/** What was started: a run, or a schedule. */
export type JobOutcome = { uid: string; project: string } | { schedule: { project: string; name: string } };

const AUTOMATIC_LABELS = ['kind', 'owner', 'host', 'rerun-of'];
const NEW_PROJECT = '\u0000new';
const VALIDATE_DELAY = 300;

/** The form's state: the fields, what the source file offers, the projects, and the server's refusals. */
export class JobFormModel {
  constructor(
    readonly client: RunlabClient,
    readonly options: IJobDialogOptions,
    public form: IJobForm,
    readonly info: ISourceInfo | null,
    readonly projects: string[],
    readonly recorded: IRerunChanges | null
  ) {
    this.newProject = !projects.includes(form.project);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get params(): ISourceParam[] {
    return formParams(this.info, this.form.handler);
  }

  get rerun(): boolean {
    return this.recorded !== null;
  }

  /** Change fields; the server checks the form again shortly after. */
  set(patch: Partial<IJobForm>): void {
    this.form = { ...this.form, ...patch };
    this._changed.emit();
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.validate(), VALIDATE_DELAY);
  }

  /** Ask the server to check the form (nothing is recorded); its refusal is shown by its field. */
  async validate(): Promise<boolean> {
    const asked = ++this._asked;
    try {
      if (this.recorded) {
        await this.client.rerunWithChanges(this.options.rerunOf!.metadata.uid,
          { ...rerunChanges(this.form, this.params, this.recorded), validate_only: true } as IRerunChanges);
      } else {
        await this.client.submitJob(jobRequest(this.form, this.params, true));
      }
      return this.refused(asked, null);
    } catch (error) {
      return this.refused(asked, error);
    }
  }

  /** Start the run (or schedule it); null when the server refused (the error is then in the form). */
  async submit(): Promise<JobOutcome | null> {
    window.clearTimeout(this._timer);
    ++this._asked; // a check still under way is outdated
    try {
      if (this.recorded) {
        const answer = await this.client.rerunWithChanges(this.options.rerunOf!.metadata.uid,
          rerunChanges(this.form, this.params, this.recorded));
        return { uid: answer.uid, project: answer.project };
      }
      if (this.form.kind === 'kernel') {
        if (!(await this.validate()) || !this.options.kernel) {
          return null;
        }
        const uid = await this.options.kernel.execute(kernelCode(this.form, this.params, this.options.root ?? ''));
        return { uid, project: this.form.project };
      }
      const answer = await this.client.submitJob(jobRequest(this.form, this.params, false));
      if (answer.schedule) {
        return { schedule: { project: answer.schedule.project, name: answer.schedule.name } };
      }
      return { uid: String(answer.uid), project: answer.project ?? this.form.project };
    } catch (error) {
      this.refused(this._asked, error); // what the submit met is shown, whatever checks ran meanwhile
      return null;
    }
  }

  /** The error of a field ('' for the request as a whole). */
  error(field: string): string {
    return this.errors.field === field ? this.errors.message : '';
  }

  /** An error of no field the form shows (the request as a whole, the path). */
  get generalError(): string {
    const shown = ['project', 'kind', 'handler', 'name', 'schedule.cron', 'schedule.timezone', 'params', 'inputs', 'labels'];
    const field = this.errors.field;
    const placed = shown.includes(field) || this.params.some(p => field === `params.${p.name}`) ||
      (field.startsWith('params.') && field.slice(7) in this.form.params) ||
      (field.startsWith('inputs.') && this.form.inputs.some(i => field === `inputs.${i.key.trim()}`)) ||
      (field.startsWith('labels.') && this.form.labels.some(l => field === `labels.${l.key.trim()}`));
    return this.errors.message && !placed ? this.errors.message : '';
  }

  newProject: boolean;
  /** What changed since the run to rerun ran (null: nothing known). */
  drift: IDrift | null = null;
  errors: { field: string; message: string } = { field: '', message: '' };

  private refused(asked: number, error: unknown): boolean {
    if (asked !== this._asked) {
      return error === null; // a newer check is under way: it shows its own answer
    }
    this.errors = error === null ? { field: '', message: '' } : error instanceof RunlabApiError
      ? { field: error.field ?? '', message: error.message } : { field: '', message: String(error) };
    this._changed.emit();
    return error === null;
  }

  private _asked = 0;
  private _timer = 0;
  private _changed = new Signal<this, void>(this);
}

/** Open the dialog and, on submit, start the run; the outcome, or null when cancelled. */
export async function openJobDialog(options: IJobDialogOptions): Promise<JobOutcome | null> {
  const model = await loadModel(options);
  const title = model.rerun ? `Rerun ${options.rerunOf!.metadata.name} with changes` : `Run ${options.path} as a job`;
  void model.validate(); // on opening; a refused submit reopens the dialog with its error kept
  for (;;) {
    const result = await showDialog({
      title,
      body: new JobFormBody(model),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: model.rerun ? 'Rerun' : 'Run', className: 'runlab-job-submit' })],
      focusNodeSelector: '.runlab-job-dialog input, .runlab-job-dialog select'
    });
    if (!result.button.accept) {
      return null;
    }
    const outcome = await model.submit();
    if (outcome) {
      return outcome;
    }
  }
}

async function loadModel(options: IJobDialogOptions): Promise<JobFormModel> {
  const { client, rerunOf } = options;
  // the projects and the source are asked at once: the form waits for one round trip, not two
  const listed = client.projects().then(found => found.map(p => p.name));
  if (rerunOf) {
    const [projects, info, drift] = await Promise.all([listed, client.inspect({ uid: rerunOf.metadata.uid }).catch(
      // no source file to read (a notebook cell's function, a file gone): the recorded values are edited as JSON
      (): ISourceInfo | null => null), client.drift(rerunOf.metadata.uid).catch((): IDrift | null => null)]);
    const recordedLabels = Object.fromEntries(Object.entries(rerunOf.metadata.labels)
      .filter(([key]) => !AUTOMATIC_LABELS.includes(key)));
    const handler = info?.kind === 'python' && info.functions.some(f => f.name === rerunOf.spec.handler) ? rerunOf.spec.handler : '';
    const recorded: IRerunChanges = { params: rerunOf.spec.parameters, inputs: rerunOf.spec.inputs, labels: recordedLabels, handler };
    const declared = formParams(info, handler);
    const params = Object.fromEntries(declared.map(p => [p.name, initialText(p, rerunOf.spec.parameters)]));
    for (const [key, value] of Object.entries(rerunOf.spec.parameters)) {
      params[key] = params[key] ?? valueText(value);
    }
    const form: IJobForm = {
      path: info?.path ?? '', project: rerunOf.metadata.project, kind: 'job', handler, name: '', params,
      inputs: Object.entries(rerunOf.spec.inputs).map(([key, value]) => ({ key, value })),
      labels: Object.entries(recordedLabels).map(([key, value]) => ({ key, value })),
      scheduled: false, cron: '', timezone: ''
    };
    const model = new JobFormModel(client, options, form, info, projects, recorded);
    model.drift = drift;
    return model;
  }
  const path = options.path ?? '';
  const [projects, info] = await Promise.all([listed, client.inspect({ path })]);
  const handler = info.kind === 'python' ? info.functions[0]?.name ?? '' : '';
  const form: IJobForm = {
    path, project: options.project || projects[0] || 'default', kind: 'job', handler, name: '',
    params: Object.fromEntries(formParams(info, handler).map(p => [p.name, initialText(p)])),
    inputs: [], labels: [], scheduled: false, cron: '', timezone: ''
  };
  return new JobFormModel(client, options, form, info, projects, null);
}

/** The dialog's body: the form, drawn again on each change of its model. */
export class JobFormBody extends ReactWidget {
  constructor(readonly model: JobFormModel) {
    super();
    this.addClass('runlab-job-dialog');
  }

  render(): JSX.Element {
    return <UseSignal signal={this.model.changed}>{() => <JobFormView model={this.model} />}</UseSignal>;
  }
}

function FieldError(props: { model: JobFormModel; field: string }): JSX.Element | null {
  const message = props.model.error(props.field);
  return message ? <div className="runlab-job-error" role="alert" data-field={props.field}>{message}</div> : null;
}

function Row(props: { label: string; field?: string; model: JobFormModel; children: React.ReactNode; title?: string }): JSX.Element {
  return (
    <div className="runlab-job-row" data-field={props.field} title={props.title}>
      <label>{props.label}</label>
      <div className="runlab-job-value">
        {props.children}
        {props.field && <FieldError model={props.model} field={props.field} />}
      </div>
    </div>
  );
}

const KIND_LABELS: Record<JobKind, string> = { job: 'Background job', kernel: 'In this kernel', dask: 'Dask' };

function JobFormView(props: { model: JobFormModel }): JSX.Element {
  const { model } = props;
  const { form, info } = model;
  const notebook = info?.kind === 'notebook';
  const kernelReason = notebook ? 'A notebook runs as a background job (papermill), not in a kernel'
    : !model.options.kernel ? model.options.kernelNote || 'Open the dialog from a notebook with a running kernel' : '';
  const setParam = (name: string, text: string) => model.set({ params: { ...form.params, [name]: text } });
  const declared = model.params;
  const extra = Object.keys(form.params).filter(name => !declared.some(p => p.name === name));
  return (
    <div className="runlab-job-form">
      {model.rerun && <DriftWarning drift={model.drift} />}
      {model.rerun && (
        <p className="runlab-job-note">
          A new run of {model.options.rerunOf!.metadata.name} ({model.options.rerunOf!.metadata.uid.slice(0, 8)}),
          labelled rerun-of; only what you change here is sent.
        </p>
      )}
      {!model.rerun && (
        <Row label="Project" field="project" model={model}>
          <HTMLSelect aria-label="Project" value={model.newProject ? NEW_PROJECT : form.project}
            onChange={e => {
              model.newProject = e.currentTarget.value === NEW_PROJECT;
              model.set({ project: model.newProject ? '' : e.currentTarget.value });
            }}>
            {model.projects.map(name => <option key={name} value={name}>{name}</option>)}
            <option value={NEW_PROJECT}>New project…</option>
          </HTMLSelect>
          {model.newProject && (
            <InputGroup aria-label="New project name" placeholder="new-project-name" value={form.project}
              onChange={e => model.set({ project: e.currentTarget.value })} />
          )}
        </Row>
      )}
      {!model.rerun && (
        <Row label="Run on" field="kind" model={model}>
          <HTMLSelect aria-label="Run on" value={form.kind} title={kernelReason && `In this kernel: ${kernelReason.toLowerCase()}`}
            onChange={e => model.set({ kind: e.currentTarget.value as JobKind })}>
            {(['job', 'kernel', 'dask'] as JobKind[]).map(kind => (
              <option key={kind} value={kind} disabled={(kind === 'kernel' && kernelReason !== '') || (kind === 'dask' && notebook)}
                title={kind === 'kernel' ? kernelReason : kind === 'dask' && notebook ? 'A notebook cannot run on Dask' : ''}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </HTMLSelect>
        </Row>
      )}
      {info?.kind === 'python' && (
        <Row label="Handler" field="handler" model={model}>
          <HTMLSelect aria-label="Handler" value={form.handler} onChange={e => {
            const handler = e.currentTarget.value;
            const params = Object.fromEntries(formParams(info, handler).map(p => [p.name, initialText(p, model.recorded?.params)]));
            model.set({ handler, params });
          }}>
            {info.functions.map(f => <option key={f.name} value={f.name} title={f.doc}>{f.name}</option>)}
            <option value="">(run the file as a script)</option>
          </HTMLSelect>
        </Row>
      )}
      {!model.rerun && (
        <Row label="Run name" field="name" model={model}>
          <InputGroup aria-label="Run name" placeholder="from the function" value={form.name}
            onChange={e => model.set({ name: e.currentTarget.value })} />
        </Row>
      )}
      <fieldset className="runlab-job-section runlab-job-params">
        <legend>Parameters</legend>
        {declared.length === 0 && extra.length === 0 && (
          <div className="runlab-job-hint">
            {notebook && !info?.has_parameters_cell ? 'The notebook has no cell tagged "parameters".' : 'No parameters.'}
          </div>
        )}
        {declared.map(param => (
          <ParamRow key={param.name} model={model} param={param} onChange={text => setParam(param.name, text)} />
        ))}
        {extra.map(name => (
          <ParamRow key={name} model={model} onChange={text => setParam(name, text)}
            param={{ name, annotation: '', type: 'any', required: false, default: null, literal: false, default_text: '' }} />
        ))}
      </fieldset>
      <PairList model={model} field="inputs" title="Inputs" keyLabel="Input name" valueLabel="Path (under the Jupyter root) or URL"
        separator="→" />
      <PairList model={model} field="labels" title="Labels" keyLabel="Label key" valueLabel="Value" separator="=" />
      {!model.rerun && form.kind !== 'kernel' && (
        <fieldset className="runlab-job-section runlab-job-schedule">
          <legend>
            <label>
              <input type="checkbox" checked={form.scheduled} onChange={e => model.set({ scheduled: e.currentTarget.checked })} />
              {' '}On a schedule
            </label>
          </legend>
          {form.scheduled && (
            <>
              <Row label="Cron" field="schedule.cron" model={model}>
                <InputGroup aria-label="Cron" placeholder="0 6 * * * or @daily" value={form.cron}
                  onChange={e => model.set({ cron: e.currentTarget.value })} />
              </Row>
              <Row label="Time zone" field="schedule.timezone" model={model}>
                <InputGroup aria-label="Time zone" placeholder="the server's local zone (or UTC, Europe/Berlin…)"
                  value={form.timezone} onChange={e => model.set({ timezone: e.currentTarget.value })} />
              </Row>
            </>
          )}
        </fieldset>
      )}
      {model.generalError && <div className="runlab-job-error" role="alert" data-field={model.errors.field}>{model.generalError}</div>}
    </div>
  );
}

function ParamRow(props: { model: JobFormModel; param: ISourceParam; onChange: (text: string) => void }): JSX.Element {
  const { model, param } = props;
  const field = `params.${param.name}`;
  const text = model.form.params[param.name] ?? '';
  const type = param.annotation || param.type;
  const title = [param.help, param.default_text ? `default ${param.default_text}` : 'required'].filter(Boolean).join(' — ');
  return (
    <div className="runlab-job-row runlab-job-param" data-field={field} title={title}>
      <label htmlFor={`runlab-param-${param.name}`}>{param.name}</label>
      <div className="runlab-job-value">
        {param.type === 'bool' ? (
          <HTMLSelect id={`runlab-param-${param.name}`} aria-label={`Parameter ${param.name}`} value={text}
            onChange={e => props.onChange(e.currentTarget.value)}>
            <option value="true">True</option>
            <option value="false">False</option>
          </HTMLSelect>
        ) : (
          <InputGroup id={`runlab-param-${param.name}`} aria-label={`Parameter ${param.name}`} value={text}
            placeholder={param.required ? 'required' : param.default_text} onChange={e => props.onChange(e.currentTarget.value)} />
        )}
        <FieldError model={model} field={field} />
      </div>
      <span className="runlab-job-type">{type}</span>
    </div>
  );
}

function PairList(props: {
  model: JobFormModel; field: 'inputs' | 'labels'; title: string; keyLabel: string; valueLabel: string; separator: string;
}): JSX.Element {
  const { model, field } = props;
  const list = model.form[field];
  const update = (index: number, patch: Partial<IPair>) =>
    model.set({ [field]: list.map((pair, i) => (i === index ? { ...pair, ...patch } : pair)) });
  return (
    <fieldset className={`runlab-job-section runlab-job-${field}`}>
      <legend>{props.title}</legend>
      {list.map((pair, index) => (
        <div className="runlab-job-pair" key={index}>
          <div className="runlab-job-pair-fields">
            <InputGroup aria-label={props.keyLabel} placeholder={props.keyLabel} value={pair.key}
              onChange={e => update(index, { key: e.currentTarget.value })} />
            <span aria-hidden="true">{props.separator}</span>
            <InputGroup aria-label={props.valueLabel} placeholder={props.valueLabel} value={pair.value}
              onChange={e => update(index, { value: e.currentTarget.value })} />
            <IconButton icon={closeIcon} label={`Remove ${pair.key || 'this row'}`}
              onClick={() => model.set({ [field]: list.filter((_, i) => i !== index) })} />
          </div>
          <FieldError model={model} field={`${field}.${pair.key.trim()}`} />
        </div>
      ))}
      <FieldError model={model} field={field} />
      <button type="button" className="jp-mod-styled runlab-job-add" onClick={() => model.set({ [field]: [...list, { key: '', value: '' }] })}>
        <addIcon.react tag="span" className="runlab-job-add-icon" /> Add {field === 'inputs' ? 'an input' : 'a label'}
      </button>
    </fieldset>
  );
}

function IconButton(props: { icon: LabIcon; label: string; onClick: () => void }): JSX.Element {
  return (
    <button type="button" className="jp-mod-styled runlab-job-remove" aria-label={props.label} title={props.label} onClick={props.onClick}>
      <props.icon.react tag="span" />
    </button>
  );
}
