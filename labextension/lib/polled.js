import { ReactWidget } from '@jupyterlab/ui-components';
/** A React widget whose data is polled only while it is shown (and never after it is disposed). */
export class PolledReactWidget extends ReactWidget {
    onAfterShow(msg) {
        super.onAfterShow(msg);
        this.poller.start();
    }
    onAfterHide(msg) {
        super.onAfterHide(msg);
        this.poller.stop();
    }
    dispose() {
        this.poller.stop();
        super.dispose();
    }
}
//# sourceMappingURL=polled.js.map