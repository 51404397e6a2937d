import { Message } from '@lumino/messaging';

import { MainAreaView } from './mainview';
import { Poller } from './poll';

/** A main-area view whose data is polled only while it is shown (and never after it is disposed). */
export abstract class PolledReactWidget extends MainAreaView {
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

  dispose(): void {
    this.poller.stop();
    super.dispose();
  }
}
