import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Poller } from './poll';
/** A React widget whose data is polled only while it is shown (and never after it is disposed). */
export declare abstract class PolledReactWidget extends ReactWidget {
    protected abstract get poller(): Poller;
    protected onAfterShow(msg: Message): void;
    protected onAfterHide(msg: Message): void;
    dispose(): void;
}
