import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { IRun } from '../api';
import { StateBadge } from '../components/stateBadge';
import { isTerminal } from '../format';
import { IRunActions, RunModel } from './model';

/** The run's name, uid and state, and its actions: copy uid, abort, rerun, delete (after a confirmation). */
export function RunHeader(props: { model: RunModel; run: IRun; actions: IRunActions }): JSX.Element {
  const { model, run, actions } = props;
  const terminal = isTerminal(run.status.state);
  const child = run.metadata.iteration > 0; // its sweep's actions are on the sweep's own view
  const confirmDelete = async () => {
    const answer = await showDialog({
      title: 'Delete this run?',
      body: `Run ${run.metadata.name} (${run.metadata.uid.slice(0, 8)}) will be deleted with its log, ` +
        `its ${run.status.artifacts.length} artifact(s) and their files. This cannot be undone.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (answer.button.accept && (await model.act('delete')) === null && model.deleted) {
      actions.closed();
    }
  };
  const rerun = async () => {
    const uid = await model.act('rerun');
    if (uid) {
      actions.openRun(uid);
    }
  };
  return (
    <div className="runlab-run-header">
      <h2 title={run.metadata.uid}>
        {run.metadata.name} <span className="runlab-uid">{run.metadata.uid.slice(0, 8)}</span>
      </h2>
      <StateBadge state={run.status.state} title={run.status.error} />
      <div className="runlab-toolbar">
        <button className="jp-mod-styled" onClick={() => Clipboard.copyToSystem(run.metadata.uid)}>
          Copy uid
        </button>
        {!terminal && !child && (
          <button className="jp-mod-styled jp-mod-warn" disabled={model.busy} onClick={() => void model.act('abort')}>
            Abort
          </button>
        )}
        {!child && (
          <button className="jp-mod-styled" disabled={model.busy} onClick={rerun}>
            Rerun
          </button>
        )}
        {!child && (
          <button className="jp-mod-styled jp-mod-warn" disabled={model.busy || !terminal} onClick={confirmDelete}
            title={terminal ? 'Delete the run' : 'Abort the run before deleting it'}>
            Delete
          </button>
        )}
      </div>
    </div>
  );
}
