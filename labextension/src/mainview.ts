import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

/** A runlab view in JupyterLab's main area (a run, the Runs view, a comparison, an executed notebook). Closing
 * its tab disposes it (Lumino's default only detaches a widget): its tracker forgets it, so opening it again
 * builds it anew, and it is not restored after a reload. */
export abstract class MainAreaView extends ReactWidget {
  protected onCloseRequest(msg: Message): void {
    super.onCloseRequest(msg);
    this.dispose();
  }
}
