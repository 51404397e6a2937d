// runlab's JupyterLab extension: the "Jobs" sidebar and a main-area view per run.

import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';

import { RunlabClient } from './api';
import { INotebookContent } from '@jupyterlab/nbformat';

import { INotebookSource, RunModel, Tab, TABS } from './detail/model';
import { NotebookViewer } from './detail/notebook';
import { RunPanel } from './detail/runPanel';
import { jobsIcon } from './icons';
import { JobsModel, JobsPanel } from './jobs';
import { Following } from './notify/following';
import { COMMANDS, notificationsPlugin } from './notify/plugin';
import { tablePlugin } from './table/plugin';

const OPEN_RUN = 'runlab:open-run';
const SHOW_JOBS = 'runlab:show-jobs';
const OPEN_NOTEBOOK = 'runlab:open-executed-notebook';
const RERUN = COMMANDS.rerun;

/** The runs whose end the user asked to be told of (shared by the run views and the notifications). */
const following = new Following();

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
    const viewers = new WidgetTracker<NotebookViewer>({ namespace: 'runlab-executed-notebook' });

    /** An executed notebook read-only in the main area: one tab per run's artifact (opening it again shows
     * that one); tracked, so that a page reload reads the artifact again and restores the tab. */
    const openNotebook = (title: string, notebook: INotebookContent, source: INotebookSource): NotebookViewer => {
      const found = viewers.find(viewer =>
        viewer.source.uid === source.uid && viewer.source.iteration === source.iteration && viewer.source.key === source.key);
      const viewer = found ?? new NotebookViewer(title, notebook, renderers, source);
      if (!found) {
        viewer.id = `runlab-notebook-${source.uid}-${source.iteration}-${source.key}`;
        void viewers.add(viewer);
        shell.add(viewer, 'main');
      }
      shell.activateById(viewer.id);
      return viewer;
    };

    /** The run's view (opened, or the one already open), on `tab` when one is given. */
    const openRun = (uid: string, iteration = 0, tab?: Tab): RunPanel => {
      const existing = tracker.find(panel => panel.model.uid === uid && panel.model.iteration === iteration);
      if (existing) {
        if (tab) {
          existing.model.setTab(tab);
        }
        shell.activateById(existing.id);
        return existing;
      }
      const model = new RunModel(client, uid, iteration);
      if (tab) {
        model.tab = tab;
      }
      const panel = new RunPanel(model, {
        openFile: path => void app.commands.execute('docmanager:open', { path }),
        openRun,
        openNotebook,
        closed: () => panel.close(),
        rendermime: renderers,
        following
      });
      void tracker.add(panel);
      shell.add(panel, 'main');
      shell.activateById(panel.id);
      return panel;
    };

    app.commands.addCommand(OPEN_RUN, {
      label: 'Open a runlab run',
      // tab: one of the view's tabs ('Logs', ...); an unknown one opens the Overview
      execute: args => {
        const tab = TABS.find(t => t === args.tab);
        openRun(String(args.uid), Number(args.iteration ?? 0), tab);
      }
    });

    app.commands.addCommand(RERUN, {
      label: 'Rerun a runlab run',
      // in the run's view, whose Rerun button shows the progress (and any error), then the new run
      execute: async args => {
        const panel = openRun(String(args.uid));
        const uid = await panel.model.act('rerun');
        if (uid) {
          openRun(uid);
        }
      }
    });

    app.commands.addCommand(OPEN_NOTEBOOK, {
      label: 'Open the executed notebook of a runlab run',
      // reads the artifact again (a page reload restores the tab this way); a failure rejects, and the
      // restorer then leaves no tab behind
      execute: async args => {
        const source = { uid: String(args.uid), iteration: Number(args.iteration ?? 0), key: String(args.key) };
        const notebook = await client.artifactJson<INotebookContent>(source.uid, source.iteration, source.key);
        if (!Array.isArray(notebook?.cells)) {
          throw new Error(`${source.key} of run ${source.uid} is not a notebook`);
        }
        return openNotebook(String(args.title ?? source.key), notebook, source);
      }
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
      void restorer.restore(viewers, {
        command: OPEN_NOTEBOOK,
        args: viewer => ({ ...viewer.source, title: viewer.title.label }),
        name: viewer => `${viewer.source.uid}-${viewer.source.iteration}-${viewer.source.key}`
      });
    }
  }
};

export default [plugin, tablePlugin, notificationsPlugin(following)];
