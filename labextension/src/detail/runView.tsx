import * as React from 'react';

import { IRun } from '../api';
import { ErrorAlert } from '../components/errorText';
import { TabBar, tabIds } from '../components/tabBar';
import { Artifacts } from './artifacts';
import { CodeTab } from './code';
import { RunHeader } from './header';
import { Inputs } from './inputs';
import { Iterations, SweepOf } from './iterations';
import { Logs } from './logs';
import { IRunActions, RunModel, Tab, tabCounts, TABS } from './model';
import { Overview } from './overview';
import { Parameters } from './parameters';
import { Results } from './results';

/** One run: its header and actions, and a tab bar over its overview, inputs, parameters, results,
 * artifacts, iterations (sweeps only), code and log. */
export function RunView(props: { model: RunModel; actions: IRunActions }): JSX.Element {
  const { model, actions } = props;
  const run = model.run;
  if (model.deleted) {
    return <div className="runlab-empty">Run {model.uid} was deleted.</div>;
  }
  if (!run) {
    return <div className="runlab-run">{model.error ? <div className="runlab-error">{model.error}</div> : 'loading…'}</div>;
  }
  const tabs = TABS.filter(t => t !== 'Iterations' || (run.status.iterations ?? []).length > 0);
  const counts = tabCounts(run);
  const ids = `runlab-run-${model.uid}-${model.iteration}`; // unique per panel (a sweep and its iterations)
  const label = (tab: Tab) =>
    counts[tab] === undefined ? tab : (
      <>
        {tab} <span className="runlab-tab-count">{counts[tab]}</span>
      </>
    );
  return (
    <div className="runlab-run" data-uid={run.metadata.uid} data-state={run.status.state}>
      <RunHeader model={model} run={run} actions={actions} />
      <SweepOf run={run} actions={actions} />
      <ErrorAlert message={model.error} />
      <TabBar className="runlab-tabs" tabs={tabs} active={model.tab} label={label} idPrefix={ids}
        onSelect={tab => model.setTab(tab)} />
      <div className="runlab-tab-body" role="tabpanel" id={tabIds(ids, model.tab).panel}
        aria-labelledby={tabIds(ids, model.tab).tab}>
        <TabBody tab={model.tab} model={model} run={run} actions={actions} />
      </div>
    </div>
  );
}

function TabBody(props: { tab: Tab; model: RunModel; run: IRun; actions: IRunActions }): JSX.Element {
  const { model, run, actions } = props;
  switch (props.tab) {
    case 'Overview':
      return <Overview model={model} run={run} actions={actions} />;
    case 'Inputs':
      return <Inputs run={run} />;
    case 'Parameters':
      return <Parameters run={run} />;
    case 'Results':
      return <Results run={run} />;
    case 'Artifacts':
      return <Artifacts model={model} actions={actions} />;
    case 'Iterations':
      return <Iterations model={model} run={run} actions={actions} />;
    case 'Code':
      return <CodeTab run={run} client={model.client} />;
    case 'Logs':
      return <Logs model={model} />;
  }
}
