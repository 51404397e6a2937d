// runlab's JupyterLab extension: the "Jobs" sidebar and a main-area view per run.

import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';

import { RunActions } from './actions/runActions';
import { RunlabClient } from './api';
import { CompareModel, CompareRequest } from './compare/model';
import { compareId, ComparePanel } from './compare/view';
import { INotebookContent } from '@jupyterlab/nbformat';

import { INotebookSource, RunModel, Tab, TABS } from './detail/model';
import { NotebookViewer } from './detail/notebook';
import { RunPanel } from './detail/runPanel';
import { jobsIcon } from './icons';
import { addJobDialog, RERUN_WITH_CHANGES } from './jobdialog/plugin';
import { JobsModel, JobsPanel } from './jobs';
import { IRunsState, RunsModel } from './runs/model';
import { RunsPanel } from './runs/view';
import { Following } from './notify/following';
import { COMMANDS, notificationsPlugin } from './notify/plugin';
import { tablePlugin } from './table/plugin';

const OPEN_RUN = 'runlab:open-run';
const SHOW_JOBS = 'runlab:show-jobs';
const OPEN_NOTEBOOK = 'runlab:open-executed-notebook';
const OPEN_RUNS = 'runlab:open-runs';
const COMPARE_RUNS = 'runlab:compare-runs';
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
    const runActions = new RunActions(client, app.commands);
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
        compareIterations: uid => void app.commands.execute(COMPARE_RUNS, { uid, children: true }),
        rerunWithChanges: uid => void app.commands.execute(RERUN_WITH_CHANGES, { uid }),
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

    /** The Runs view of a project (or of one of its jobs): one tab each; its listing is saved for a reload. */
    const runsViews = new WidgetTracker<RunsPanel>({ namespace: 'runlab-runs' });
    const openRuns = (state: IRunsState): RunsPanel => {
      const job = state.job ?? '';
      const found = runsViews.find(panel => panel.model.project === state.project && panel.model.job === job);
      const panel = found ?? new RunsPanel(new RunsModel(client, state), {
        openRun: (uid, iteration) => openRun(uid, iteration),
        compare: uids => void app.commands.execute(COMPARE_RUNS, { uids }),
        runs: runActions
      });
      if (!found) {
        panel.id = `runlab-runs-${state.project}-${job}`;
        panel.model.stateChanged.connect(() => void runsViews.save(panel));
        void runsViews.add(panel);
        shell.add(panel, 'main');
      }
      shell.activateById(panel.id);
      return panel;
    };

    const jobs = new JobsPanel(new JobsModel(client), openRun, (project, job) =>
      void app.commands.execute(OPEN_RUNS, job ? { project, job } : { project }), runActions);
    jobs.id = 'runlab-jobs';
    jobs.title.icon = jobsIcon;
    jobs.title.caption = 'Jobs: runlab runs';
    shell.add(jobs, 'left', { rank: 600 });

    app.commands.addCommand(SHOW_JOBS, {
      label: 'Show runlab Jobs',
      execute: () => shell.activateById(jobs.id)
    });
    palette?.addItem({ command: SHOW_JOBS, category: 'runlab' });

    addJobDialog(app, shell, palette, {
      client,
      showRun: (uid, project) => {
        openRun(uid);
        jobs.model.showJobsOf(project);
      },
      follow: uid => !following.has(uid) && following.toggle(uid),
      showSchedules: project => {
        jobs.model.setProject(project);
        jobs.model.setView('schedules');
        shell.activateById(jobs.id);
      },
      project: () => jobs.model.project || undefined
    });

    app.commands.addCommand(OPEN_RUNS, {
      label: args => (args.project ? `Runs of ${String(args.project)}` : 'Open the runlab Runs view'),
      caption: 'Every run of a project in a table: filter, sort by params and results, page, select',
      // without a project: the one the Jobs sidebar shows
      execute: async args => {
        let project = String(args.project ?? jobs.model.project ?? '');
        if (!project) {
          // the sidebar has not loaded yet: the project with the newest run
          const projects = (await client.projects()).filter(p => p.runs > 0);
          projects.sort((a, b) => (b.last_update ?? '').localeCompare(a.last_update ?? ''));
          project = projects[0]?.name ?? '';
        }
        if (!project) {
          Notification.warning('No runlab project yet: run a function from a notebook, then open its runs.', { autoClose: 5000 });
          return;
        }
        return openRuns({ ...(args as Partial<IRunsState>), project });
      }
    });
    palette?.addItem({ command: OPEN_RUNS, category: 'runlab' });

    /** The compare view: one tab per set of runs (opening the same set again shows it); restored on reload. */
    const compareViews = new WidgetTracker<ComparePanel>({ namespace: 'runlab-compare' });
    const openCompare = (request: CompareRequest): ComparePanel => {
      const found = compareViews.find(panel => panel.id === compareId(request));
      const panel = found ?? new ComparePanel(new CompareModel(client, request), { openRun, rendermime: renderers });
      if (!found) {
        void compareViews.add(panel);
        shell.add(panel, 'main');
      }
      shell.activateById(panel.id);
      return panel;
    };
    /** The runs a call compares: its `uids`, a sweep's iterations (`uid` and `children`), or the current Runs
     * view's selection (from the palette). */
    const compareRequest = (args: Record<string, unknown>): CompareRequest | null => {
      if (Array.isArray(args.uids)) {
        return { uids: args.uids.map(String) };
      }
      if (args.uid && args.children) {
        return { uid: String(args.uid), children: true };
      }
      const current = shell.currentWidget;
      return current instanceof RunsPanel && current.selection.length >= 2 ? { uids: current.selection } : null;
    };
    app.commands.addCommand(COMPARE_RUNS, {
      label: args => {
        const request = compareRequest(args);
        return request && 'uids' in request ? `Compare ${request.uids.length} runs` : request ? 'Compare iterations' : 'Compare the selected runs';
      },
      caption: 'The selected runs side by side: the fields that differ, the best results, charts and artifacts',
      isEnabled: args => compareRequest(args) !== null,
      isVisible: args => compareRequest(args) !== null,
      execute: args => {
        const request = compareRequest(args);
        if (!request) {
          Notification.warning('Select 2 or more runs in a Runs view to compare them.', { autoClose: 5000 });
          return;
        }
        return openCompare(request);
      }
    });
    palette?.addItem({ command: COMPARE_RUNS, category: 'runlab' });

    if (restorer) {
      restorer.add(jobs, 'runlab-jobs');
      void restorer.restore(tracker, {
        command: OPEN_RUN,
        args: panel => ({ uid: panel.model.uid, iteration: panel.model.iteration }),
        name: panel => (panel.model.iteration ? `${panel.model.uid}-${panel.model.iteration}` : panel.model.uid)
      });
      void restorer.restore(runsViews, {
        command: OPEN_RUNS,
        args: panel => ({ ...panel.model.saved }) as never,
        name: panel => `${panel.model.project}/${panel.model.job}`
      });
      void restorer.restore(compareViews, {
        command: COMPARE_RUNS,
        args: panel => ({ ...panel.model.request }) as never,
        name: panel => panel.id
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
