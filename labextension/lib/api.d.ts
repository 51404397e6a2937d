import { ServerConnection } from '@jupyterlab/services';
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
    meta?: Record<string, unknown>;
    producer: {
        uid: string;
        iteration: number;
        name: string;
    };
}
export interface IRun {
    kind: 'run';
    metadata: {
        uid: string;
        name: string;
        project: string;
        iteration: number;
        labels: Record<string, string>;
    };
    spec: {
        function: string;
        handler: string;
        parameters: Record<string, unknown>;
        inputs: Record<string, string>;
        source?: {
            kind?: string;
            filename?: string;
        };
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
        iterations?: Record<string, unknown>[];
        best_iteration?: number | null;
        progress?: {
            done: number;
            total: number;
            unit: string;
        };
        [key: string]: unknown;
    };
    children?: {
        iteration: number;
        state: string;
        error: string | null;
    }[];
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
}
export interface IScheduleEvent {
    time: string;
    due: string | null;
    event: 'fired' | 'skipped' | 'replaced' | 'caught-up' | 'failed';
    run_uid: string | null;
    message: string;
}
/** An answer other than 2xx/304: the status and the server's message. */
export declare class RunlabApiError extends Error {
    readonly status: number;
    constructor(status: number, message: string);
}
export declare class RunlabClient {
    readonly settings: ServerConnection.ISettings;
    constructor(settings?: ServerConnection.ISettings);
    url(...parts: (string | number)[]): string;
    projects(): Promise<IProject[]>;
    /** The project's jobs, or null while nothing changed since the ETag of the last answer. */
    jobs(project: string, filter: string, etag: string): Promise<{
        jobs: IJob[];
        etag: string;
    } | null>;
    runs(query: Record<string, string | number>): Promise<IRunPage>;
    run(uid: string, iteration?: number): Promise<IRun>;
    log(uid: string, iteration: number, offset: number): Promise<ILog>;
    preview(uid: string, iteration: number, key: string): Promise<IPreview>;
    artifactUrl(uid: string, iteration: number, key: string, download: boolean): string;
    abort(uid: string): Promise<{
        uid: string;
        state: string;
    }>;
    rerun(uid: string): Promise<{
        uid: string;
        state: string;
    }>;
    remove(uid: string): Promise<void>;
    schedules(project: string): Promise<ISchedule[]>;
    scheduleEvents(project: string, name: string): Promise<IScheduleEvent[]>;
    scheduleAction(project: string, name: string, action: 'pause' | 'resume' | 'run-now'): Promise<void>;
    deleteSchedule(project: string, name: string): Promise<void>;
    private request;
    private json;
}
