// The runlab server extension's REST API (python/runlab/server/openapi.yaml), typed.

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { IEndedRun } from './notify/texts';

export interface IProject {
  name: string;
  description: string;
  context: string;
  runs: number;
  last_update: string | null;
}

export interface IJob {
  name: string;
  runs: number;
  last_start: string | null;
  last_uid: string;
  last_state: string;
  last_kind: string;
  last_error: string | null;
  last_duration: number | null;
}

export interface IArtifact {
  key: string;
  kind: string;
  uri: string;
  target_path: string;
  size: number | null;
  hash: string | null;
  version: number;
  tag: string | null;
  meta: Record<string, unknown>;
  labels: Record<string, string>;
  created: string;
  producer: { uid: string; iteration: number; name: string };
  /** The file's path under the server's root folder, or null when it is elsewhere (one run's view only). */
  root_path?: string | null;
}

export interface IRun {
  kind: 'run';
  metadata: {
    uid: string;
    name: string;
    project: string;
    iteration: number;
    labels: Record<string, string>;
    /** The user's free-text notes ('' when none). */
    notes?: string;
  };
  spec: {
    function: string;
    handler: string;
    parameters: Record<string, unknown>;
    inputs: Record<string, string>;
    source?: { kind?: string; filename?: string };
    /** What ran (absent when capture was turned off; a sweep's children share iteration 0's). */
    code?: ICode;
    [key: string]: unknown;
  };
  status: {
    state: string;
    error: string | null;
    traceback?: string;
    results: Record<string, unknown>;
    artifacts: IArtifact[];
    start_time: string | null;
    last_update: string | null;
    end_time: string | null;
    duration: number | null;
    /** A sweep's table: one row per iteration (`iter`, `state`, `param.*`, results). */
    iterations?: Record<string, unknown>[];
    /** How many iterations a listed sweep has: a list carries only the first rows of its table. */
    iteration_count?: number;
    best_iteration?: number | null;
    progress?: { done: number; total: number; unit: string };
    /** A run with retries: each attempt so far (times in seconds since the epoch). */
    attempts?: IAttempt[];
    /** While the run waits (pending) for its next attempt: which one comes, and when (seconds since the epoch). */
    retry?: { attempt: number; of: number; at: number };
    stopped?: string;
    pid?: number;
    host?: string;
    [key: string]: unknown;
  };
  /** A notebook function's notebook, relative to the server's root folder (one run's view only). */
  notebook_path?: string | null;
  /** The iterations' states, for a sweep's parent run (one run's view only). */
  children?: { iteration: number; state: string; error: string | null }[];
}

/** One attempt of a run with retries. */
export interface IAttempt {
  attempt: number;
  start_time: number;
  end_time: number;
  state: string;
  error: string | null;
}

/** What a run ran: its code's sha256 and file, a notebook cell's source, git, environment hash, host, user. */
export interface ICode {
  sha256: string | null;
  path: string | null;
  source?: string;
  git?: {
    commit: string | null;
    branch: string | null;
    root: string;
    dirty?: boolean;
    diff?: string;
    diff_truncated?: boolean;
  };
  environment: string;
  host: string;
  user: string;
}

/** A Python environment runs ran in (stored once). */
export interface IEnvironment {
  hash: string;
  python: string;
  implementation: string;
  platform: string;
  packages: string[];
  created: string;
}

/** What changed since a run ran (`message` null: nothing). */
export interface IDrift {
  captured: boolean;
  message: string | null;
  code: { changed: boolean; old: string; new: string | null; path: string | null; diff: string } | null;
  environment: {
    changed: boolean;
    old: string;
    new: string;
    python: string[] | null;
    platform: string[] | null;
    added: string[];
    removed: string[];
    changed_packages: string[];
  } | null;
}

/** A sweep's chart: a Vega-Lite spec for JupyterLab's renderer, or null with a note saying why. */
export interface IChart {
  mime_type: string;
  spec: Record<string, unknown> | null;
  note: string;
}

export interface IRunPage {
  runs: IRun[];
  offset: number;
  limit: number;
  next_offset: number | null;
}

export interface ILog {
  text: string;
  offset: number;
  state: string;
  terminal: boolean;
  /** When each line that starts in `text` began: its first character's index in `text`, and the time. */
  times?: { at: number; time: string }[];
}

/** What a bulk delete did: the runs deleted, those skipped (with why), and how many files went. */
export interface IBulkDelete {
  deleted: string[];
  skipped: { uid: string; reason: string }[];
  files_removed: number;
  files_not_removed: string[];
}

export interface IPreview {
  kind: 'table' | 'image' | 'html' | 'text' | 'model' | 'none' | 'error';
  title: string;
  path: string;
  size?: number | null;
  columns?: string[];
  rows?: unknown[][];
  shape?: (number | null)[];
  src?: string;
  html?: string;
  text?: string;
  note?: string;
}

export interface ISchedule {
  project: string;
  name: string;
  function: string;
  cron: string;
  timezone: string;
  description: string;
  concurrency: 'allow' | 'forbid' | 'replace';
  paused: boolean;
  next_run: string | null;
  last_run: string | null;
  last_uid: string | null;
  last_state: string | null;
  /** How many ended runs stay (older ones are deleted after each firing); null keeps them all. */
  keep_runs: number | null;
  /** What each firing runs: the task (params, inputs, ...), its handler and selector. */
  task: { task: { params?: Record<string, unknown>; inputs?: Record<string, string> } };
}

/** What PATCH /schedules/{project}/{name} may change (each field optional; params and inputs replaced whole). */
export interface IScheduleChanges {
  cron?: string;
  timezone?: string;
  concurrency?: ISchedule['concurrency'];
  params?: Record<string, unknown>;
  inputs?: Record<string, string>;
  keep_runs?: number | null;
}

export interface IScheduleEvent {
  time: string;
  due: string | null;
  event: 'fired' | 'skipped' | 'replaced' | 'caught-up' | 'failed' | 'retention';
  run_uid: string | null;
  message: string;
}

/** Rows of a saved notebook table (python/runlab/display/table.py's widget rows), and the store's id. */
export interface ITableRows {
  store: string;
  rows: Record<string, unknown>[];
  missing: [string, number][];
  iterations?: { columns: string[]; rows: unknown[][]; best: number | null } | null;
}

/** A param, result or label key of a project's runs, its values' kind and in how many runs it occurs. */
export interface IField {
  key: string;
  kind: 'number' | 'string' | 'boolean' | 'json' | 'mixed';
  runs: number;
}

/** The keys of a project's newest runs (`sampled`: it has more runs than were read), the most common first. */
export interface IFieldList {
  project: string;
  runs: number;
  sampled: boolean;
  params: IField[];
  results: IField[];
  labels: IField[];
}

/** One run of a comparison; `label` is name@uid8 (plus #iteration for a sweep's child). */
export interface ICompareRun {
  uid: string;
  iteration: number;
  name: string;
  project: string;
  state: string;
  label: string;
}

/** One field of a comparison: a value per run, whether they differ, the best runs of a result. */
export interface ICompareRow {
  field: string;
  values: unknown[];
  differs: boolean;
  best: number[];
  direction: 'max' | 'min' | null;
}

/** Runs compared field by field, with their Vega-Lite charts (parallel coordinates, then the scatter). */
export interface IComparison {
  runs: ICompareRun[];
  rows: ICompareRow[];
  mime_type: string;
  charts: Record<string, unknown>[];
}

/** One artifact key of each compared run: null where the run did not log it. */
export interface ICompareArtifact {
  key: string;
  runs: { uid: string; iteration: number; name: string; artifact: IArtifact | null; preview: IPreview | null }[];
}

/** An answer other than 2xx/304: the status, the server's message and the request field it is about. */
export class RunlabApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string
  ) {
    super(message);
  }
}

/** A param of a handler or a notebook's parameters cell, as the server read it (never ran it). */
export interface ISourceParam {
  name: string;
  annotation: string;
  type: 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'any';
  required: boolean;
  default: unknown;
  /** Whether the default is a literal (else only its source text is known). */
  literal: boolean;
  default_text: string;
  help?: string;
}

/** What a .py file (its functions) or a notebook (its parameters cell) offers a job. */
export interface ISourceInfo {
  path: string;
  kind: 'python' | 'notebook';
  functions: { name: string; doc: string; params: ISourceParam[]; context: boolean; kwargs: boolean }[];
  parameters: ISourceParam[];
  has_parameters_cell: boolean;
}

/** The body of POST /runs (runlab/server/openapi.yaml, JobRequest). */
export interface IJobRequest {
  project: string;
  path: string;
  kind: 'job' | 'dask';
  handler: string;
  name: string;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  labels: Record<string, string>;
  schedule: { cron: string; timezone: string; concurrency: string } | null;
  validate_only?: boolean;
}

/** What a rerun changes (merged over the run's recorded spec). */
export interface IRerunChanges {
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  labels: Record<string, string>;
  handler?: string;
}

export class RunlabClient {
  constructor(readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()) {}

  private url(...parts: (string | number)[]): string {
    return URLExt.join(this.settings.baseUrl, 'runlab', 'api', ...parts.map(p => encodeURIComponent(String(p))));
  }

  async projects(): Promise<IProject[]> {
    return (await this.json<{ projects: IProject[] }>(this.url('projects'))).projects;
  }

  /** Every project, or null while nothing in the store changed since the ETag of the last answer. */
  async projectsIfChanged(etag: string): Promise<{ projects: IProject[]; etag: string } | null> {
    const response = await this.request(this.url('projects'), { headers: etag ? { 'If-None-Match': etag } : {} });
    if (response.status === 304) {
      return null;
    }
    const data = (await response.json()) as { projects: IProject[] };
    return { projects: data.projects, etag: response.headers.get('ETag') ?? '' };
  }

  /** The project's jobs, or null while nothing changed since the ETag of the last answer. */
  async jobs(project: string, filter: string, etag: string): Promise<{ jobs: IJob[]; etag: string } | null> {
    const query = filter ? `?q=${encodeURIComponent(filter)}` : '';
    const response = await this.request(this.url('projects', project, 'jobs') + query, {
      headers: etag ? { 'If-None-Match': etag } : {}
    });
    if (response.status === 304) {
      return null;
    }
    const data = (await response.json()) as { jobs: IJob[] };
    return { jobs: data.jobs, etag: response.headers.get('ETag') ?? '' };
  }

  async fields(project: string): Promise<IFieldList> {
    return this.json<IFieldList>(this.url('projects', project, 'fields'));
  }

  /** Runs that ended after `since` (server epoch seconds; null: none, and the cursor is now), launched from
   * this server's kernels or in `followed`; null while nothing changed since the ETag of the last answer. */
  async ended(
    since: number | null, followed: string[], limit: number, etag: string
  ): Promise<{ runs: IEndedRun[]; more: number; cursor: number; etag: string } | null> {
    const search = new URLSearchParams({ limit: String(limit) });
    if (since !== null) {
      search.set('since', String(since));
    }
    if (followed.length) {
      search.set('uid', followed.join(','));
    }
    const response = await this.request(`${this.url('ended')}?${search}`, {
      headers: etag ? { 'If-None-Match': etag } : {}
    });
    if (response.status === 304) {
      return null;
    }
    const data = (await response.json()) as { runs: IEndedRun[]; more: number; cursor: number };
    return { ...data, etag: response.headers.get('ETag') ?? '' };
  }

  async runs(query: Record<string, string | number | string[]>): Promise<IRunPage> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        search.append(key, String(one));
      }
    }
    return this.json<IRunPage>(`${this.url('runs')}?${search}`);
  }

  async run(uid: string, iteration = 0): Promise<IRun> {
    return this.json<IRun>(`${this.url('runs', uid)}?iteration=${iteration}`);
  }

  async environment(hash: string): Promise<IEnvironment> {
    return this.json<IEnvironment>(this.url('environments', hash));
  }

  async drift(uid: string): Promise<IDrift> {
    return this.json<IDrift>(this.url('runs', uid, 'drift'));
  }

  async chart(uid: string): Promise<IChart> {
    return this.json<IChart>(this.url('runs', uid, 'chart'));
  }

  async log(uid: string, iteration: number, offset: number): Promise<ILog> {
    return this.json<ILog>(`${this.url('runs', uid, iteration, 'log')}?offset=${offset}&timestamps=1`);
  }

  async preview(uid: string, iteration: number, key: string): Promise<IPreview> {
    return this.json<IPreview>(this.url('runs', uid, iteration, 'artifacts', key, 'preview'));
  }

  /** Runs compared (each `uid` or `uid:iteration`), or a sweep's iterations (one uid and `children`). */
  async compare(runs: string[], children = false): Promise<IComparison> {
    const search = new URLSearchParams(runs.map(uid => ['uid', uid]));
    if (children) {
      search.append('children', 'true');
    }
    return this.json<IComparison>(`${this.url('compare')}?${search}`);
  }

  /** The artifact `key` of each run (`uid:iteration`), as previews. */
  async compareArtifact(key: string, runs: string[]): Promise<ICompareArtifact> {
    const search = new URLSearchParams([['key', key], ...runs.map(uid => ['uid', uid])]);
    return this.json<ICompareArtifact>(`${this.url('compare', 'artifact')}?${search}`);
  }

  /** A saved notebook table's rows read again: by keys (`uid:iteration`) or by its listing's filters. */
  async tableRows(params: {
    keys?: [string, number][];
    query?: Record<string, unknown>;
    offset?: number;
    limit?: number;
    short?: boolean;
    sweep?: boolean;
  }): Promise<ITableRows> {
    const search = new URLSearchParams();
    for (const [uid, iteration] of params.keys ?? []) {
      search.append('key', `${uid}:${iteration}`);
    }
    if (params.query) {
      search.set('query', JSON.stringify(params.query));
    }
    for (const name of ['offset', 'limit', 'short', 'sweep'] as const) {
      if (params[name] !== undefined) {
        search.set(name, String(Number(params[name])));
      }
    }
    return this.json<ITableRows>(`${this.url('table-rows')}?${search}`);
  }

  async inputPreview(uid: string, iteration: number, key: string): Promise<IPreview> {
    return this.json<IPreview>(this.url('runs', uid, iteration, 'inputs', key, 'preview'));
  }

  artifactUrl(uid: string, iteration: number, key: string, download: boolean): string {
    return this.url('runs', uid, iteration, 'artifacts', key) + (download ? '?download=1' : '');
  }

  /** An artifact's file parsed as JSON (an executed notebook, say). */
  async artifactJson<T>(uid: string, iteration: number, key: string): Promise<T> {
    return this.json<T>(this.artifactUrl(uid, iteration, key, false));
  }

  async abort(uid: string): Promise<{ uid: string; state: string }> {
    return this.json(this.url('runs', uid, 'abort'), { method: 'POST' });
  }

  async rerun(uid: string): Promise<{ uid: string; state: string }> {
    return this.json(this.url('runs', uid, 'rerun'), { method: 'POST' });
  }

  /** A rerun with changes; the new run. */
  async rerunWithChanges(uid: string, changes: IRerunChanges): Promise<{ uid: string; state: string; project: string }> {
    return this.json(this.url('runs', uid, 'rerun'), { method: 'POST', body: JSON.stringify(changes) });
  }

  /** A file's functions or a notebook's parameters (`path` under the server's root), or a run's source (`uid`). */
  async inspect(where: { path: string } | { uid: string }): Promise<ISourceInfo> {
    const query = 'uid' in where ? `uid=${encodeURIComponent(where.uid)}` : `path=${encodeURIComponent(where.path)}`;
    return this.json(`${this.url('inspect')}?${query}`);
  }

  /** Run a file as a job: the new run, its schedule, or (validate_only) `{valid: true}`; a bad field throws. */
  async submitJob(request: IJobRequest): Promise<{ uid?: string; state?: string; project?: string;
    schedule?: ISchedule; valid?: boolean }> {
    return this.json(this.url('runs'), { method: 'POST', body: JSON.stringify(request) });
  }

  async remove(uid: string): Promise<void> {
    await this.json(this.url('runs', uid), { method: 'DELETE' });
  }

  /** Delete the runs that ended among `uids` in one call; the others are skipped and listed. */
  async deleteRuns(uids: string[]): Promise<IBulkDelete> {
    return this.json(this.url('runs', 'delete'), { method: 'POST', body: JSON.stringify({ uids }) });
  }

  async setNotes(uid: string, notes: string): Promise<{ uid: string; notes: string }> {
    return this.json(this.url('runs', uid), { method: 'PATCH', body: JSON.stringify({ notes }) });
  }

  /** The run's whole log as a file (`<name>-<uid8>.log`). */
  logDownloadUrl(uid: string, iteration: number): string {
    return `${this.url('runs', uid, iteration, 'log')}?download=1`;
  }

  async schedules(project: string): Promise<ISchedule[]> {
    return (await this.json<{ schedules: ISchedule[] }>(`${this.url('schedules')}?project=${encodeURIComponent(project)}`))
      .schedules;
  }

  async scheduleEvents(project: string, name: string): Promise<IScheduleEvent[]> {
    return (await this.json<{ events: IScheduleEvent[] }>(this.url('schedules', project, name))).events;
  }

  async scheduleAction(project: string, name: string, action: 'pause' | 'resume' | 'run-now'): Promise<void> {
    await this.json(this.url('schedules', project, name, action), { method: 'POST' });
  }

  async updateSchedule(project: string, name: string, changes: IScheduleChanges): Promise<ISchedule> {
    return this.json<ISchedule>(this.url('schedules', project, name), {
      method: 'PATCH',
      body: JSON.stringify(changes)
    });
  }

  /** The runs a schedule fired (they carry the label schedule=<name>), newest first. */
  async scheduleRuns(project: string, name: string, limit: number): Promise<IRunPage> {
    return this.runs({ project, label: `schedule=${name}`, limit });
  }

  async deleteSchedule(project: string, name: string): Promise<void> {
    await this.json(this.url('schedules', project, name), { method: 'DELETE' });
  }

  private async request(url: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch {
      // the browser's own words ("TypeError: Failed to fetch") say nothing to a user: status 0 is "unreachable"
      throw new RunlabApiError(0, 'The Jupyter server cannot be reached.');
    }
    if (!response.ok && response.status !== 304) {
      let message = response.statusText;
      let field: string | undefined;
      try {
        const body = (await response.json()) as { message?: string; field?: string };
        message = body.message ?? message;
        field = body.field;
      } catch {
        // not JSON: keep the status text
      }
      throw new RunlabApiError(response.status, message, field);
    }
    return response;
  }

  private async json<T>(url: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.request(url, init)).json()) as T;
  }
}
