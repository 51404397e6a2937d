import { deleteIcon, runIcon, stopIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { isLive, RunActions, runName } from '../actions/runActions';
import { IRun } from '../api';

/** A run's actions in a list row, as small toolbar buttons with titles: Abort while it runs, Rerun, Delete once
 * it ended. Clicks and keys stay here (the row itself opens the run); `changed` runs after an abort or delete. */
export function RowActions(props: { run: IRun; actions: RunActions; changed: () => void }): JSX.Element {
  const { run, actions, changed } = props;
  const [busy, setBusy] = React.useState(false);
  const name = runName(run);
  const act = (step: () => Promise<boolean | void>) => async () => {
    setBusy(true);
    try {
      if (await step()) {
        changed();
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="runlab-row-actions" data-uid={run.metadata.uid}
      onClick={event => event.stopPropagation()} onKeyDown={event => event.stopPropagation()}>
      {isLive(run) && (
        <ToolbarButtonComponent className="runlab-row-abort" icon={stopIcon} enabled={!busy}
          tooltip={`Abort run ${name}`} onClick={act(() => actions.abort(run))} />
      )}
      <ToolbarButtonComponent className="runlab-row-rerun" icon={runIcon} enabled={!busy}
        tooltip={`Rerun ${name}`} onClick={act(() => actions.rerun(run))} />
      {!isLive(run) && (
        <ToolbarButtonComponent className="runlab-row-delete" icon={deleteIcon} enabled={!busy}
          tooltip={`Delete run ${name}`} onClick={act(() => actions.remove(run))} />
      )}
    </span>
  );
}
