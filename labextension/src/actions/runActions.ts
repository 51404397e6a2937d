// What a list of runs can do to one of its runs, or to several: abort, rerun, delete (each destructive step
// after a JupyterLab confirmation), with the outcome told through JupyterLab's notifications.

import { Notification } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';

import { IBulkDelete, IRun, RunlabClient } from '../api';
import { confirm } from '../components/confirm';
import { explain } from '../components/errorText';
import { isTerminal } from '../format';

/** The commands a rerun goes through: the dialog that lets the user change the run first when JupyterLab has
 * it, else the plain rerun. */
export const RERUN_COMMANDS = { withChanges: 'runlab:rerun-with-changes', plain: 'runlab:rerun-run' };

const NOTICE_MS = 5000;

/** A run as a list names it: "train (1a2b3c4d)". */
export function runName(run: IRun): string {
  return `${run.metadata.name} (${run.metadata.uid.slice(0, 8)})`;
}

/** A failure as a notification: the server's message (never a traceback), its first line as the summary. */
function failed(what: string, error: unknown): void {
  Notification.error(`${what}: ${explain(error)}`, { autoClose: false });
}

export class RunActions {
  constructor(
    readonly client: RunlabClient,
    private readonly commands: CommandRegistry
  ) {}

  /** Abort a run that has not ended, once the user confirms; true when it was asked to stop. */
  async abort(run: IRun): Promise<boolean> {
    const name = runName(run);
    if (!(await confirm('Abort this run?', `Run ${name} will be stopped; what it logged so far is kept.`, 'Abort'))) {
      return false;
    }
    try {
      const answer = await this.client.abort(run.metadata.uid);
      Notification.info(`Run ${name} is ${answer.state}.`, { autoClose: NOTICE_MS });
      return true;
    } catch (error) {
      failed(`Run ${name} was not aborted`, error);
      return false;
    }
  }

  /** Start the run again (through the rerun dialog when there is one). */
  async rerun(run: IRun): Promise<void> {
    const command = this.commands.hasCommand(RERUN_COMMANDS.withChanges) ? RERUN_COMMANDS.withChanges : RERUN_COMMANDS.plain;
    try {
      await this.commands.execute(command, { uid: run.metadata.uid });
    } catch (error) {
      failed(`Run ${runName(run)} was not started again`, error);
    }
  }

  /** Delete a run that ended, once the user confirms; true when it is gone. */
  async remove(run: IRun): Promise<boolean> {
    const name = runName(run);
    const artifacts = run.status.artifacts?.length ?? 0;
    const body = `Run ${name} will be deleted with its log, its ${artifacts} artifact(s) and their files. This cannot be undone.`;
    if (!(await confirm('Delete this run?', body, 'Delete'))) {
      return false;
    }
    try {
      await this.client.remove(run.metadata.uid);
      Notification.success(`Run ${name} was deleted.`, { autoClose: NOTICE_MS });
      return true;
    } catch (error) {
      failed(`Run ${name} was not deleted`, error);
      return false;
    }
  }

  /** Delete several runs in one call, once the user confirms; `live` counts those known not to have ended
   * (they are skipped). The answer, or null when nothing was asked. */
  async removeMany(uids: string[], live: number): Promise<IBulkDelete | null> {
    const count = plural(uids.length, 'run');
    const skipped = live ? ` ${plural(live, 'of them is', 'of them are')} still running and will be skipped.` : '';
    const body = `${count} will be deleted with their logs, artifacts and files. This cannot be undone.${skipped}`;
    if (!(await confirm(`Delete ${count}?`, body, `Delete ${count}`))) {
      return null;
    }
    try {
      const answer = await this.client.deleteRuns(uids);
      const kept = answer.skipped.length
        ? ` ${plural(answer.skipped.length, 'run was', 'runs were')} skipped: ${answer.skipped[0].reason}` +
          (answer.skipped.length > 1 ? ' (and others)' : '') + '.'
        : '';
      const notice = `${plural(answer.deleted.length, 'run')} deleted.${kept}`;
      if (answer.skipped.length) {
        Notification.warning(notice, { autoClose: false });
      } else {
        Notification.success(notice, { autoClose: NOTICE_MS });
      }
      return answer;
    } catch (error) {
      failed(`The ${count} were not deleted`, error);
      return null;
    }
  }
}

/** "1 run", "3 runs" (or the plural given). */
function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Whether a run can be aborted (it has not ended) or deleted (it ended). */
export function isLive(run: IRun): boolean {
  return !isTerminal(run.status.state);
}
