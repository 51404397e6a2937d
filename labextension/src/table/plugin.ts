// Registers the notebook runs table renderer: JupyterLab draws runlab's tables from the data saved in each
// output, ahead of the widget view (whose kernel model is gone once the notebook is reopened).

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { RunlabClient } from '../api';
import { RUNS_MIME } from './data';
import { ITableActions, RunsTableView } from './view';

/** Below the widget view's rank (-10, jupyterlab-manager's), so JupyterLab prefers this renderer. */
export const RANK = -20;

export const tablePlugin: JupyterFrontEndPlugin<void> = {
  id: 'runlab-labextension:notebook-table',
  description: 'Draws runlab run tables in notebooks from the data saved in their outputs.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry) => {
    const client = new RunlabClient();
    const actions: ITableActions = {
      openFile: path => void app.commands.execute('docmanager:open', { path }),
      openRun: uid => void app.commands.execute('runlab:open-run', { uid }),
      openRuns: project => void app.commands.execute('runlab:open-runs', { project })
    };
    rendermime.addFactory(
      { safe: true, mimeTypes: [RUNS_MIME], defaultRank: RANK, createRenderer: () => new RunsTableView(client, actions, rendermime) },
      RANK
    );
  }
};
