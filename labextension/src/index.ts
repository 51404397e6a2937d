// runlab's JupyterLab extension: the "Jobs" sidebar and a main-area view per run.

import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';

import { RunlabClient } from './api';
import { RunModel } from './detail/model';
import { NotebookViewer } from './detail/notebook';
import { RunPanel } from './detail/runPanel';
import { jobsIcon } from './icons';
import { JobsModel, JobsPanel } from './jobs';
import { tablePlugin } from './table/plugin';

const OPEN_RUN = 'runlab:open-run';
const SHOW_JOBS = 'runlab:show-jobs';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'runlab-labextension:plugin',
  description: 'The runs of your runlab projects: jobs, run history and run details.',
  autoStart: true,
  requires: [ILabShell],
  optional: [ILayoutRestorer, ICommandPalette, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const client = new RunlabClient();
    const renderers = rendermime ?? new RenderMimeRegistry({ initialFactories: standardRendererFactories });
    const tracker = new WidgetTracker<RunPanel>({ namespace: 'runlab-run' });

    const openRun = (uid: string, iteration = 0) => {
      const existing = tracker.find(panel => panel.model.uid === uid && panel.model.iteration === iteration);
      if (existing) {
        shell.activateById(existing.id);
        return;
      }
      const model = new RunModel(client, uid, iteration);
      const panel = new RunPanel(model, {
        openFile: path => void app.commands.execute('docmanager:open', { path }),
        openRun,
        openNotebook: (title, notebook) => {
          const id = `runlab-notebook-${uid}-${iteration}`; // one viewer per run: opening it again shows that one
          if (!Array.from(shell.widgets('main')).some(widget => widget.id === id)) {
            const viewer = new NotebookViewer(title, notebook, renderers);
            viewer.id = id;
            shell.add(viewer, 'main');
          }
          shell.activateById(id);
        },
        closed: () => panel.close(),
        rendermime: renderers
      });
      void tracker.add(panel);
      shell.add(panel, 'main');
      shell.activateById(panel.id);
    };

    app.commands.addCommand(OPEN_RUN, {
      label: 'Open a runlab run',
      execute: args => openRun(String(args.uid), Number(args.iteration ?? 0))
    });

    const jobs = new JobsPanel(new JobsModel(client), openRun);
    jobs.id = 'runlab-jobs';
    jobs.title.icon = jobsIcon;
    jobs.title.caption = 'Jobs: runlab runs';
    shell.add(jobs, 'left', { rank: 600 });

    app.commands.addCommand(SHOW_JOBS, {
      label: 'Show runlab Jobs',
      execute: () => shell.activateById(jobs.id)
    });
    palette?.addItem({ command: SHOW_JOBS, category: 'runlab' });

    if (restorer) {
      restorer.add(jobs, 'runlab-jobs');
      void restorer.restore(tracker, {
        command: OPEN_RUN,
        args: panel => ({ uid: panel.model.uid, iteration: panel.model.iteration }),
        name: panel => (panel.model.iteration ? `${panel.model.uid}-${panel.model.iteration}` : panel.model.uid)
      });
    }
  }
};

export default [plugin, tablePlugin];
