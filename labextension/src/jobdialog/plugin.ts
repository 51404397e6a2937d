// The commands and entries of the job dialog: "Run as job…" (the notebook toolbar, the file browser's context
// menu for .ipynb and .py files, the palette) and "Rerun with changes…" (the run view's header, any list).

import { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, ISessionContext, Notification, ToolbarButton } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { launchIcon, Toolbar } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { RunlabApiError, RunlabClient } from '../api';
import { IJobKernel, openJobDialog } from './dialog';

export const RUN_AS_JOB = 'runlab:run-as-job';
export const RERUN_WITH_CHANGES = 'runlab:rerun-with-changes';

/** A document in the main area, as far as the dialog needs it (a notebook panel, a file editor). */
interface IDocumentLike {
  context: { path: string; sessionContext?: ISessionContext };
}

function isDocument(widget: Widget | null): widget is Widget & IDocumentLike {
  const context = (widget as Partial<IDocumentLike> | null)?.context;
  return typeof context?.path === 'string';
}

/** The file browser, as far as its context menu needs it: the item right-clicked is the selected one. */
interface IFileBrowserLike {
  selectedItems(): IterableIterator<{ path: string; type: string }>;
}

const RUNNABLE = /\.(ipynb|py)$/;

export interface IJobDialogHooks {
  client: RunlabClient;
  /** Show a run the dialog started: its view, and its project's jobs in the sidebar. */
  showRun: (uid: string, project: string) => void;
  /** Announce the run's end (a run started from the server is not one of this JupyterLab's kernels). */
  follow: (uid: string) => void;
  showSchedules: (project: string) => void;
  /** The project the Jobs sidebar shows. */
  project: () => string | undefined;
}

/** Add the commands, the notebook toolbar button, the file browser's menu entries and the palette items. */
export function addJobDialog(app: JupyterFrontEnd, shell: ILabShell, palette: ICommandPalette | null, hooks: IJobDialogHooks): void {
  /** The notebook in the main area with a running kernel, which can run a .py's handler ("In this kernel"). */
  const kernelOf = (): { kernel: IJobKernel | null; note: string } => {
    const current = shell.currentWidget;
    const session = isDocument(current) && current.context.path.endsWith('.ipynb') ? current.context.sessionContext : undefined;
    const kernel = session?.session?.kernel;
    if (!kernel || kernel.status === 'dead') {
      return { kernel: null, note: 'Open it while a notebook with a running kernel is the current tab' };
    }
    return {
      note: '',
      kernel: {
        execute: async code => {
          const reply = await kernel.requestExecute({ code, silent: false, store_history: false,
            user_expressions: { uid: '_runlab_job.uid()' } }).done;
          const content = reply.content as { status: string; evalue?: string; user_expressions?: Record<string, { data?: Record<string, string> }> };
          if (content.status !== 'ok') {
            throw new Error(`The kernel could not run the job: ${content.evalue ?? content.status}`);
          }
          return (content.user_expressions?.uid?.data?.['text/plain'] ?? '').replace(/^'|'$/g, '');
        }
      }
    };
  };

  /** The file a call is about: its `path`, the right-clicked file browser item, or the current document. */
  const targetPath = (args: Record<string, unknown>): string => {
    if (typeof args.path === 'string' && args.path) {
      return args.path;
    }
    if (args.fromBrowser) {
      const browser = [...shell.widgets('left')].find(w => w.id === 'filebrowser') as (Widget & Partial<IFileBrowserLike>) | undefined;
      const item = browser?.selectedItems?.().next();
      if (item && !item.done) {
        return item.value.path;
      }
    }
    const current = shell.currentWidget;
    return isDocument(current) ? current.context.path : '';
  };

  const started = (outcome: Awaited<ReturnType<typeof openJobDialog>>) => {
    if (!outcome) {
      return;
    }
    if ('schedule' in outcome) {
      Notification.success(`Schedule ${outcome.schedule.name} of ${outcome.schedule.project} recorded.`, { autoClose: 5000 });
      hooks.showSchedules(outcome.schedule.project);
      return;
    }
    hooks.follow(outcome.uid);
    hooks.showRun(outcome.uid, outcome.project);
  };

  const failed = (error: unknown) => {
    const message = error instanceof RunlabApiError || error instanceof Error ? error.message : String(error);
    Notification.error(message, { autoClose: 8000 });
  };

  app.commands.addCommand(RUN_AS_JOB, {
    label: args => (args.fromBrowser || args.path ? 'Run as Job…' : 'Run the Current File as a runlab Job…'),
    caption: 'Run a notebook or a Python file as a runlab job: project, handler, parameters, inputs, labels, schedule',
    icon: args => (args.fromBrowser ? undefined : launchIcon),
    isEnabled: args => RUNNABLE.test(targetPath(args)),
    execute: async args => {
      const path = targetPath(args);
      if (!RUNNABLE.test(path)) {
        Notification.warning('Open (or select) a notebook or a .py file to run it as a job.', { autoClose: 5000 });
        return;
      }
      const { kernel, note } = kernelOf();
      try {
        started(await openJobDialog({ client: hooks.client, path, project: hooks.project(), kernel, kernelNote: note,
          root: PageConfig.getOption('serverRoot') }));
      } catch (error) {
        failed(error);
      }
    }
  });

  app.commands.addCommand(RERUN_WITH_CHANGES, {
    label: 'Rerun with Changes…',
    caption: 'Start the run again with edited parameters, inputs, labels or handler (labelled rerun-of)',
    execute: async args => {
      try {
        const run = await hooks.client.run(String(args.uid));
        started(await openJobDialog({ client: hooks.client, rerunOf: run }));
      } catch (error) {
        failed(error);
      }
    }
  });

  palette?.addItem({ command: RUN_AS_JOB, category: 'runlab' });
  for (const type of ['notebook', 'python']) {
    app.contextMenu.addItem({ command: RUN_AS_JOB, args: { fromBrowser: true },
      selector: `.jp-DirListing-item[data-file-type="${type}"]`, rank: 60 });
  }
  app.docRegistry.addWidgetExtension('Notebook', {
    createNew: (panel, context) => {
      const button = new ToolbarButton({
        className: 'runlab-run-as-job-button', icon: launchIcon, tooltip: 'Run this notebook as a runlab job…',
        label: 'Run as job',
        onClick: () => void app.commands.execute(RUN_AS_JOB, { path: context.path })
      });
      (panel as Widget & { toolbar?: Toolbar }).toolbar?.addItem('runlab-run-as-job', button);
      return button;
    }
  });
}
