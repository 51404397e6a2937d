// The compare view: a main-area tab with the runs compared field by field (what `.show()` of a comparison
// shows), its charts drawn by JupyterLab's Vega-Lite renderer, and artifacts side by side.

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { refreshIcon, spreadsheetIcon, ToolbarButtonComponent, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { MimeChart } from '../chart';
import { ErrorAlert } from '../components/errorText';
import { focusOnActivate } from '../components/focus';
import { MainAreaView } from '../mainview';
import { CompareArtifacts } from './artifacts';
import { CompareModel, CompareRequest } from './model';
import { CompareTable } from './table';

/** What the view asks of JupyterLab: a run's own view, and the renderers that draw the charts and previews. */
export interface ICompareActions {
  openRun(uid: string, iteration: number): void;
  readonly rendermime: IRenderMimeRegistry;
}

/** The tab's id for a request: the same runs open the same tab. */
export function compareId(request: CompareRequest): string {
  return 'uids' in request ? `runlab-compare-${request.uids.join('-')}` : `runlab-compare-iterations-${request.uid}`;
}

function Rows(props: { model: CompareModel; actions: ICompareActions }): JSX.Element | null {
  const { model, actions } = props;
  const comparison = model.comparison;
  if (!comparison) {
    return null;
  }
  const total = comparison.rows.length;
  const candidates = model.candidateRows;
  const rows = model.rows;
  return (
    <section className="runlab-compare-section">
      <div className="runlab-compare-rowbar">
        <span className="runlab-compare-count" role="status">
          {model.showAll ? `All ${total} fields` : `${candidates.length} of ${total} fields differ`}
        </span>
        <label className="runlab-compare-all">
          <input type="checkbox" checked={model.showAll} onChange={event => model.setShowAll(event.currentTarget.checked)} />
          Show all {total} fields
        </label>
      </div>
      {candidates.length ? (
        <CompareTable runs={comparison.runs} rows={rows} openRun={actions.openRun} />
      ) : (
        <div className="runlab-empty runlab-compare-same">All {total} fields are the same in these runs.</div>
      )}
      {rows.length < candidates.length && (
        <div className="runlab-compare-more">
          Showing {rows.length} of {candidates.length} rows{' '}
          <button className="jp-mod-styled" onClick={() => model.showMore()}>Show more</button>
        </div>
      )}
    </section>
  );
}

function Charts(props: { model: CompareModel; actions: ICompareActions }): JSX.Element | null {
  const comparison = props.model.comparison;
  if (!comparison) {
    return null;
  }
  return (
    <section className="runlab-compare-section runlab-compare-charts">
      <h3>Charts</h3>
      {comparison.charts.length ? (
        comparison.charts.map((spec, i) => (
          <MimeChart key={i} className="runlab-compare-chart" rendermime={props.actions.rendermime}
            mimeType={comparison.mime_type} spec={spec} />
        ))
      ) : (
        <div className="runlab-empty">No chart: it takes two or more numeric params or results that differ between these runs.</div>
      )}
    </section>
  );
}

function CompareView(props: { model: CompareModel; actions: ICompareActions }): JSX.Element {
  const { model, actions } = props;
  const runs = model.comparison?.runs ?? [];
  const title = 'uid' in model.request
    ? `Iterations of ${runs[0]?.name ?? 'the sweep'} ${model.request.uid.slice(0, 8)}`
    : `Compare ${runs.length || (model.request.uids.length)} runs`;
  return (
    <div className="runlab-compare-view" aria-busy={model.loading}>
      <div className="runlab-compare-toolbar">
        <h2 className="runlab-compare-title" title={title}>{title}</h2>
        <ToolbarButtonComponent className="runlab-compare-refresh" icon={refreshIcon} tooltip="Compare again"
          enabled={!model.loading} onClick={() => void model.load()} />
      </div>
      <ErrorAlert message={model.error} />
      {!model.comparison && !model.error && <div className="runlab-empty">Comparing…</div>}
      <Rows model={model} actions={actions} />
      <Charts model={model} actions={actions} />
      {model.comparison && (
        <section className="runlab-compare-section">
          <h3>Artifacts</h3>
          <CompareArtifacts model={model} rendermime={actions.rendermime} />
        </section>
      )}
    </div>
  );
}

/** The main-area widget: reads the comparison once when opened (Refresh reads it again). */
export class ComparePanel extends MainAreaView {
  constructor(
    readonly model: CompareModel,
    private readonly actions: ICompareActions
  ) {
    super();
    this.addClass('runlab-compare-panel');
    this.node.tabIndex = -1; // focusable, so that showing it makes it JupyterLab's current widget
    this.id = compareId(model.request);
    this.title.icon = spreadsheetIcon;
    this.title.closable = true;
    const request = model.request;
    this.title.label = 'uids' in request ? `Compare ${request.uids.length} runs` : `Iterations ${request.uid.slice(0, 8)}`;
    model.changed.connect(() => {
      const runs = model.comparison?.runs;
      if (runs) {
        this.title.label = 'uids' in request ? `Compare ${runs.length} runs` : `Compare ${runs.length} iterations`;
        this.title.caption = runs.map(r => r.label).join(', ');
      }
    });
    void model.load();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    focusOnActivate(this.node);
  }

  render(): JSX.Element {
    return <UseSignal signal={this.model.changed}>{() => <CompareView model={this.model} actions={this.actions} />}</UseSignal>;
  }
}
