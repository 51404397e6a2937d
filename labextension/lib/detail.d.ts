import { ISignal } from '@lumino/signaling';
import { IArtifact, IPreview, IRun, RunlabClient } from './api';
import { Poller } from './poll';
import { PolledReactWidget } from './polled';
export declare const TABS: readonly ["Overview", "Inputs", "Parameters", "Results", "Artifacts", "Iterations", "Logs"];
export type Tab = (typeof TABS)[number];
export interface IRunActions {
    openFile: (path: string) => void;
    openRun: (uid: string) => void;
    closed: () => void;
}
export declare class RunModel {
    readonly client: RunlabClient;
    readonly uid: string;
    constructor(client: RunlabClient, uid: string);
    readonly poller: Poller;
    run: IRun | null;
    error: string | null;
    tab: Tab;
    log: string;
    logOffset: number;
    follow: boolean;
    preview: IPreview | null;
    previewKey: string | null;
    busy: boolean;
    deleted: boolean;
    get changed(): ISignal<this, void>;
    refresh(): Promise<void>;
    readLog(): Promise<void>;
    setTab(tab: Tab): void;
    openPreview(artifact: IArtifact): Promise<void>;
    act(action: 'abort' | 'rerun' | 'delete'): Promise<string | null>;
    private _stale;
    private _changed;
}
/** The main-area widget of one run: polls while it is visible and the run is not finished. */
export declare class RunPanel extends PolledReactWidget {
    readonly model: RunModel;
    private readonly actions;
    constructor(model: RunModel, actions: IRunActions);
    protected get poller(): Poller;
    render(): JSX.Element;
}
