import { UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { Poller } from '../poll';
import { PolledReactWidget } from '../polled';
import { IRunActions, RunModel } from './model';
import { RunView } from './runView';

/** The main-area widget of one run: polls while it is visible and the run is not finished. */
export class RunPanel extends PolledReactWidget {
  constructor(
    readonly model: RunModel,
    private readonly actions: IRunActions
  ) {
    super();
    this.addClass('runlab-run-panel');
    const iteration = model.iteration ? ` #${model.iteration}` : '';
    this.id = `runlab-run-${model.uid}${model.iteration ? `-${model.iteration}` : ''}`;
    this.title.label = `Run ${model.uid.slice(0, 8)}${iteration}`;
    this.title.closable = true;
    this.node.tabIndex = -1; // focusable until the heading is drawn: see onActivateRequest
    model.changed.connect(() => {
      if (model.run) {
        this.title.label = `${model.run.metadata.name} ${model.uid.slice(0, 8)}${iteration}`;
        this.title.caption = `${model.run.metadata.name} (${model.uid}${iteration}): ${model.run.status.state}`;
      }
    });
  }

  /** Activating the run (opening it, or picking its tab) puts the focus on its heading, or, until the run has
   * loaded, on the panel and then on the heading: JupyterLab highlights the tab of the widget holding the
   * focus, which must be the one shown (not the view a link to this one was followed from). */
  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const heading = this.node.querySelector<HTMLElement>('.runlab-run-header h2');
    if (heading) {
      heading.focus();
    } else {
      this.node.focus();
      this.model.wantsFocus = true;
    }
  }

  protected get poller(): Poller {
    return this.model.poller;
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>{() => <RunView model={this.model} actions={this.actions} />}</UseSignal>
    );
  }
}
