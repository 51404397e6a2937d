import { Clipboard } from '@jupyterlab/apputils';
import { bellIcon, ToolbarButtonComponent, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRun } from '../api';
import { CachedChip } from '../components/cached';
import { confirm } from '../components/confirm';
import { StateBadge } from '../components/stateBadge';
import { isTerminal } from '../format';
import type { Following } from '../notify/following';
import { IRunActions, RunModel } from './model';

/** The run's name, uid and state, and its actions: copy uid, abort and delete (each after a confirmation), and
 * rerun (which shows its progress and opens the new run once it exists). The heading takes the focus when the
 * view opens, so a keyboard or screen-reader user lands in the run. */
export function RunHeader(props: { model: RunModel; run: IRun; actions: IRunActions }): JSX.Element {
  const { model, run, actions } = props;
  const terminal = isTerminal(run.status.state);
  const heading = React.useRef<HTMLHeadingElement>(null);
  React.useEffect(() => {
    if (model.wantsFocus && heading.current) {
      model.wantsFocus = false;
      // only while its view is the one shown: a view restored behind another (which JupyterLab's "scale"
      // hidden mode leaves focusable) would otherwise become the current one
      if (!heading.current.closest('.lm-mod-hidden')) {
        heading.current.focus();
      }
    }
  });
  const short = `${run.metadata.name} (${run.metadata.uid.slice(0, 8)})`;
  const confirmAbort = async () => {
    if (await confirm('Abort this run?', `Run ${short} will be stopped; what it logged so far is kept.`, 'Abort')) {
      await model.act('abort');
    }
  };
  const child = run.metadata.iteration > 0; // its sweep's actions are on the sweep's own view
  const confirmDelete = async () => {
    const body = `Run ${short} will be deleted with its log, its ${run.status.artifacts.length} artifact(s) and ` +
      'their files. This cannot be undone.';
    if ((await confirm('Delete this run?', body, 'Delete')) && (await model.act('delete')) === null && model.deleted) {
      actions.closed();
    }
  };
  const rerun = async () => {
    const uid = await model.act('rerun');
    if (uid) {
      actions.openRun(uid);
    }
  };
  const rerunning = model.pending === 'rerun';
  return (
    <div className="runlab-run-header">
      <h2 ref={heading} tabIndex={-1} title={run.metadata.uid}>
        {run.metadata.name} <span className="runlab-uid">{run.metadata.uid.slice(0, 8)}</span>
      </h2>
      <StateBadge state={run.status.state} title={run.status.error} />
      <CachedChip run={run} openRun={uid => actions.openRun(uid)} />
      <div className="runlab-toolbar">
        <button className="jp-mod-styled" onClick={() => Clipboard.copyToSystem(run.metadata.uid)}>
          Copy uid
        </button>
        {!terminal && !child && actions.following && <FollowToggle uid={run.metadata.uid} following={actions.following} />}
        {!terminal && !child && (
          <button className="jp-mod-styled jp-mod-warn" disabled={model.busy} onClick={confirmAbort}>
            {model.pending === 'abort' ? 'Aborting…' : 'Abort'}
          </button>
        )}
        {!child && (
          <button className="jp-mod-styled runlab-rerun" disabled={model.busy} aria-busy={rerunning} onClick={rerun}
            title="Start the same function with the same parameters and inputs as a new run">
            {rerunning ? 'Starting the new run…' : 'Rerun'}
          </button>
        )}
        {!child && actions.rerunWithChanges && (
          <button className="jp-mod-styled runlab-rerun-with-changes" disabled={model.busy}
            onClick={() => actions.rerunWithChanges!(run.metadata.uid)}
            title="Edit the parameters, inputs, labels or handler, then start a new run">
            Rerun with changes…
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

/** The bell: announce this run's end (a JupyterLab notification), as for a run started from this JupyterLab. */
function FollowToggle(props: { uid: string; following: Following }): JSX.Element {
  const { uid, following } = props;
  return (
    <UseSignal signal={following.changed}>
      {() => (
        <ToolbarButtonComponent className="runlab-follow-run" icon={bellIcon} label="Notify"
          pressed={following.has(uid)} tooltip="Notify me when this run ends"
          pressedTooltip="You will be notified when this run ends (click to stop)"
          onClick={() => following.toggle(uid)} />
      )}
    </UseSignal>
  );
}
