import { ISignal } from '@lumino/signaling';
import { IJob, IProject, IRun, RunlabClient } from './api';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';
import { SchedulesModel } from './schedules';
/** What went wrong, said so that the user knows what to do. */
export declare function explain(error: unknown): string;
export declare class JobsModel {
    readonly client: RunlabClient;
    constructor(client: RunlabClient);
    readonly poller: Poller;
    readonly schedules: SchedulesModel;
    view: 'jobs' | 'schedules';
    projects: IProject[];
    project: string;
    filter: string;
    jobs: IJob[];
    error: string | null;
    loaded: boolean;
    expanded: string | null;
    history: IRun[];
    historyNext: number | null;
    get changed(): ISignal<this, void>;
    refresh(): Promise<void>;
    setProject(name: string): void;
    setView(view: 'jobs' | 'schedules'): void;
    setFilter(text: string): void;
    toggle(name: string): Promise<void>;
    loadMore(): Promise<void>;
    private loadHistory;
    private reset;
    private done;
    private fail;
    private _etag;
    private _ticks;
    private _changed;
}
export declare function StateBadge(props: {
    state: string;
    title?: string | null;
}): JSX.Element;
/** The sidebar widget: polls only while it is visible. */
export declare class JobsPanel extends PolledReactWidget {
    readonly model: JobsModel;
    private readonly openRun;
    constructor(model: JobsModel, openRun: (uid: string) => void);
    protected get poller(): Poller;
    render(): JSX.Element;
}
