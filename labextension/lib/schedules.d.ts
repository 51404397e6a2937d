import { ISignal } from '@lumino/signaling';
import { ISchedule, IScheduleEvent, RunlabClient } from './api';
export declare class SchedulesModel {
    readonly client: RunlabClient;
    constructor(client: RunlabClient);
    schedules: ISchedule[];
    error: string | null;
    loaded: boolean;
    busy: string | null;
    expanded: string | null;
    events: IScheduleEvent[];
    get changed(): ISignal<this, void>;
    refresh(project: string): Promise<void>;
    toggle(schedule: ISchedule): Promise<void>;
    act(schedule: ISchedule, action: 'pause' | 'resume' | 'run-now' | 'delete'): Promise<void>;
    private _changed;
}
export declare function SchedulesView(props: {
    model: SchedulesModel;
    openRun: (uid: string) => void;
}): JSX.Element;
