export interface IPollerOptions {
    interval: number;
    maxInterval?: number;
    task: () => Promise<void>;
    onError?: (error: unknown) => void;
}
export declare class Poller {
    private readonly options;
    constructor(options: IPollerOptions);
    get active(): boolean;
    get running(): boolean;
    /** The delay before the next tick (grows while the task keeps failing). */
    get delay(): number;
    start(): void;
    stop(): void;
    /** Run the task now (unless it is running) and schedule the next tick. */
    tick(): Promise<void>;
    private _active;
    private _running;
    private _failures;
    private _timer;
}
