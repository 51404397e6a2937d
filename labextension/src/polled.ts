import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

import { Poller } from './poll';

/** A React widget whose data is polled only while it is shown (and never after it is disposed). */
export abstract class PolledReactWidget extends ReactWidget {
  protected abstract get poller(): Poller;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // the first widget of an empty main area is attached visible: it gets no after-show message
    if (this.isVisible) {
      this.poller.start();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.poller.start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.poller.stop();
  }

  /** Closing its tab disposes it (Lumino's default only detaches a widget): its tracker forgets it, so
   * opening it again builds it anew, and it is not restored after a reload. */
  protected onCloseRequest(msg: Message): void {
    super.onCloseRequest(msg);
    this.dispose();
  }

  dispose(): void {
    this.poller.stop();
    super.dispose();
  }
}
