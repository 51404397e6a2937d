// Announces the end of runs: polls GET /runlab/api/ended every 2 s and shows one JupyterLab notification per
// ended run (a sweep is one run), with Open, Logs and Rerun buttons. Failures stay until dismissed; the
// others close by themselves. What was announced is kept (state DB and localStorage), so a reload, a second
// tab of this browser or the next opening never announces a run twice, and runs that ended while no page
// was open are announced on the next opening (the newest few, then one "N more runs ended" line).

import { Notification } from '@jupyterlab/apputils';
import type { IStateDB } from '@jupyterlab/statedb';

import { RunlabClient } from '../api';
import { Poller } from '../poll';
import { Following } from './following';
import { ILedgerState, Ledger } from './ledger';
import { announced, DEFAULT_SETTINGS, failed, IEndedRun, INotifySettings, message, moreMessage } from './texts';

const STATE_KEY = 'runlab-labextension:notifications:ledger';
/** How long a notification that needs no answer stays (JupyterLab's notifications are silent unless given one). */
export const AUTO_CLOSE_MS = 5000;
/** At most this many notifications at once (on opening after a while away); the others are counted. */
export const MAX_TOASTS = 5;
/** The most runs one question to the ended route lists (its `limit`'s upper bound). */
const MAX_ASK = 50;

/** What a notification's buttons do: the commands of the Jobs extension. */
export interface IRunCommands {
  open: (uid: string, tab?: string) => void;
  rerun: (uid: string) => void;
  showJobs: () => void;
}

export class EndNotifier {
  constructor(
    private readonly client: RunlabClient,
    private readonly following: Following,
    private readonly commands: IRunCommands
  ) {
    this.storageKey = `${STATE_KEY}:${client.settings.baseUrl}`;
    this.poller = new Poller({ interval: 2000, maxInterval: 30000, task: () => this.check() });
  }

  readonly poller: Poller;
  settings: INotifySettings = { ...DEFAULT_SETTINGS };

  /** Read what was announced before (state DB and this browser's storage: the newer of both), then poll. */
  async start(state: IStateDB): Promise<void> {
    this.state = state;
    this.ledger.merge((await state.fetch(STATE_KEY)) as Partial<ILedgerState> | null);
    this.ledger.merge(this.stored());
    // another tab announced runs: take them in, so that this one does not announce them again
    window.addEventListener('storage', event => {
      if (event.key === this.storageKey) {
        this.ledger.merge(this.stored());
      }
    });
    this.poller.start();
  }

  /** Ask the server for runs that ended since the last answer, and announce the new ones. */
  async check(): Promise<void> {
    this.ledger.merge(this.stored()); // what another tab announced a moment ago
    const first = this.checks++ === 0;
    // room for the runs announced in the question's minute too, so that they do not push new ones out
    const limit = Math.min(MAX_ASK, MAX_TOASTS + this.ledger.known);
    const answer = await this.client.ended(this.ledger.since, this.following.uids, limit, this.etag);
    if (answer === null) {
      return;
    }
    this.etag = answer.etag;
    // another tab may have announced these while the answer was on its way: from here to the save below
    // nothing waits, so two tabs never both take the same run
    this.ledger.merge(this.stored());
    const before = this.ledger.since;
    const fresh = this.ledger.take(answer.runs, answer.cursor, answer.more);
    this.save();
    if (before === null) {
      return; // this browser's first answer: the past is not announced, only what ends from now on
    }
    this.following.drop(answer.runs.map(run => run.uid));
    if (!this.settings.enabled) {
      return;
    }
    const due = fresh.filter(run => announced(run, this.settings));
    const shown = due.slice(-MAX_TOASTS); // the newest few; the others are counted
    for (const run of shown) {
      this.announce(run);
    }
    const more = this.ledger.leftOut + due.length - shown.length;
    if (more > 0 && !this.settings.onlyErrors) {
      Notification.info(moreMessage(more, first), {
        autoClose: false,
        actions: [{ label: 'Open Jobs', callback: () => this.commands.showJobs() }]
      });
    }
  }

  private announce(run: IEndedRun): void {
    const actions: Notification.IAction[] = [
      { label: 'Open', caption: `Open run ${run.uid.slice(0, 8)}`, displayType: 'accent',
        callback: () => this.commands.open(run.uid) },
      { label: 'Logs', caption: 'Open the run on its Logs tab', callback: () => this.commands.open(run.uid, 'Logs') },
      { label: 'Rerun', caption: 'Start the same function with the same parameters and inputs as a new run',
        callback: () => this.commands.rerun(run.uid) }
    ];
    const text = message(run);
    if (failed(run)) {
      Notification.error(text, { autoClose: false, actions, data: { uid: run.uid } });
    } else if (run.state === 'aborted') {
      Notification.warning(text, { autoClose: AUTO_CLOSE_MS, actions, data: { uid: run.uid } });
    } else {
      Notification.success(text, { autoClose: AUTO_CLOSE_MS, actions, data: { uid: run.uid } });
    }
  }

  private stored(): Partial<ILedgerState> | null {
    try {
      return JSON.parse(window.localStorage.getItem(this.storageKey) ?? 'null') as Partial<ILedgerState> | null;
    } catch {
      return null; // storage off or a value that is not ours: the state DB still has it
    }
  }

  private save(): void {
    const state = this.ledger.toJSON();
    try {
      window.localStorage.setItem(this.storageKey, JSON.stringify(state)); // at once, and seen by other tabs
    } catch {
      // storage off (a private window): the state DB keeps it, a little later
    }
    void this.state?.save(STATE_KEY, state as unknown as Record<string, number>);
  }

  private readonly storageKey: string;
  private readonly ledger = new Ledger();
  private state: IStateDB | null = null;
  private etag = '';
  private checks = 0;
}
