// The "Run as job" / "Rerun with changes" form as data: what the user typed (text per field), the request it
// makes, and the Python call that runs it in a notebook's kernel. No DOM here: tested with node --test.

import type { IJobRequest, IRerunChanges, ISourceInfo, ISourceParam } from '../api';

/** Where the job runs: a background process, a Dask cluster, or the kernel of the notebook it was opened from. */
export type JobKind = 'job' | 'dask' | 'kernel';

export interface IPair {
  key: string;
  value: string;
}

/** The form's fields, as typed. */
export interface IJobForm {
  path: string;
  project: string;
  kind: JobKind;
  handler: string;
  name: string;
  /** Param name → its text (a literal as Python or JSON writes it; '' leaves the param out). */
  params: Record<string, string>;
  inputs: IPair[];
  labels: IPair[];
  scheduled: boolean;
  cron: string;
  timezone: string;
}

/** The params the form shows: the handler's (for a .py), or the notebook's parameters cell. */
export function formParams(info: ISourceInfo | null, handler: string): ISourceParam[] {
  if (!info) {
    return [];
  }
  if (info.kind === 'notebook') {
    return info.parameters;
  }
  return info.functions.find(f => f.name === handler)?.params ?? [];
}

/** A value as the form shows it: text as is, anything else as JSON (Python's True/None as JSON's). */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

/** The text a param starts with: its recorded value (a rerun), else its default when that is a literal. */
export function initialText(param: ISourceParam, recorded?: Record<string, unknown>): string {
  if (recorded && param.name in recorded) {
    return valueText(recorded[param.name]);
  }
  return param.literal && param.default !== null ? valueText(param.default) : '';
}

/** A param's text as the value to send: by its type (what does not parse is sent as text, and the server
 * names the field that does not fit); undefined when left empty. */
export function parseValue(type: ISourceParam['type'], text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  switch (type) {
    case 'str':
      return text;
    case 'int': // 2.5 goes as the number it is, for the server to say it is no int
    case 'float':
      return trimmed !== '' && !Number.isNaN(Number(trimmed)) ? Number(trimmed) : text;
    case 'bool':
      return trimmed.toLowerCase() === 'true' ? true : trimmed.toLowerCase() === 'false' ? false : text;
    default:
      try {
        return JSON.parse(trimmed);
      } catch {
        return text;
      }
  }
}

/** The params to send: each non-empty one parsed by its type; a param not in the list (a rerun's recorded
 * one the code no longer declares) parses as JSON. */
export function paramValues(form: IJobForm, params: ISourceParam[]): Record<string, unknown> {
  const types = new Map(params.map(p => [p.name, p.type]));
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(form.params)) {
    const value = parseValue(types.get(name) ?? 'any', text);
    if (value !== undefined) {
      values[name] = value;
    }
  }
  return values;
}

function pairs(list: IPair[]): Record<string, string> {
  return Object.fromEntries(list.filter(p => p.key.trim() !== '').map(p => [p.key.trim(), p.value.trim()]));
}

/** POST /runs's body for the form ("In this kernel" is checked as a background job would be). */
export function jobRequest(form: IJobForm, params: ISourceParam[], validateOnly: boolean): IJobRequest {
  return {
    project: form.project.trim(),
    path: form.path,
    kind: form.kind === 'dask' ? 'dask' : 'job',
    handler: form.handler,
    name: form.name.trim(),
    params: paramValues(form, params),
    inputs: pairs(form.inputs),
    labels: pairs(form.labels),
    schedule: form.scheduled ? { cron: form.cron.trim(), timezone: form.timezone.trim(), concurrency: 'forbid' } : null,
    validate_only: validateOnly
  };
}

/** A rerun's changes: the params, inputs and labels that differ from the run's recorded ones, and the handler
 * when it changed. */
export function rerunChanges(form: IJobForm, params: ISourceParam[], recorded: IRerunChanges): IRerunChanges {
  const changed = <T>(now: Record<string, T>, before: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(now).filter(([key, value]) => JSON.stringify(before[key]) !== JSON.stringify(value)));
  const changes: IRerunChanges = {
    params: changed(paramValues(form, params), recorded.params),
    inputs: changed(pairs(form.inputs), recorded.inputs),
    labels: changed(pairs(form.labels), recorded.labels)
  };
  if (form.handler && form.handler !== recorded.handler) {
    changes.handler = form.handler;
  }
  return changes;
}

/** A Python expression for a JSON value: its JSON read by json.loads (a JSON string is a Python string literal). */
function py(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `_json.loads(${JSON.stringify(JSON.stringify(value))})`;
}

/** The runlab call that runs the form's job in a notebook's kernel (files by absolute path under `root`, the
 * server's root folder); the run is left in `_runlab_job`. */
export function kernelCode(form: IJobForm, params: ISourceParam[], root: string): string {
  const absolute = (path: string) => (path.includes('://') ? path : `${root.replace(/\/$/, '')}/${path}`);
  const inputs = Object.fromEntries(Object.entries(pairs(form.inputs)).map(([key, path]) => [key, absolute(path)]));
  const args = [
    ...(form.name.trim() ? [`name=${py(form.name.trim())}`] : []),
    `params=${py(paramValues(form, params))}`,
    `inputs=${py(inputs)}`,
    `labels=${py(pairs(form.labels))}`,
    'local=True'
  ];
  return [
    'import json as _json, runlab as _runlab',
    // the function names its project, which is created when new (as MLRun does)
    `_runlab_job = _runlab.code_to_function(filename=${py(absolute(form.path))}, kind="local", ` +
      `project=${py(form.project.trim())}${form.handler ? `, handler=${py(form.handler)}` : ''}).run(${args.join(', ')})`
  ].join('\n');
}
