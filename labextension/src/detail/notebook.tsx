// An executed notebook drawn read-only: its cells' sources and their saved outputs through JupyterLab's
// renderers (untrusted: HTML is sanitized, no script runs), with no kernel and nothing to edit.

import type { ICell, INotebookContent, IOutput, MultilineString } from '@jupyterlab/nbformat';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { MainAreaView } from '../mainview';
import type { INotebookSource } from './model';

function text(value: MultilineString | undefined): string {
  return Array.isArray(value) ? value.join('') : (value ?? '');
}

/** A saved output's mime bundle as renderers take it: nbformat may store text as a list of lines (JSON types
 * keep their value, a list there is data). */
function bundle(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([mime, value]) => [
    mime,
    Array.isArray(value) && !/json$/.test(mime) ? value.join('') : value
  ]));
}

/** One mime bundle drawn by the renderer JupyterLab prefers for it (safe renderers only). */
function Rendered(props: {
  rendermime: IRenderMimeRegistry;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}): JSX.Element {
  const { rendermime, data, metadata } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const mime = rendermime.preferredMimeType(data as never, 'ensure');
  React.useEffect(() => {
    if (!mime || !host.current) {
      return;
    }
    const renderer = rendermime.createRenderer(mime);
    // its node goes into React's element as a plain child (not a Lumino attach): React may remove the element
    // from the page before this cleanup runs, and disposing an attached widget that is off the page throws
    host.current.appendChild(renderer.node);
    void renderer.renderModel(new MimeModel({ data: data as never, metadata: (metadata ?? {}) as never, trusted: false }));
    return () => renderer.dispose();
  }, [rendermime, data, metadata, mime]);
  if (!mime) {
    return <div className="runlab-muted">output of type {Object.keys(data).join(', ')}: not shown here</div>;
  }
  return <div ref={host} className="runlab-nb-rendered" data-mime={mime} />;
}

/** Text of one mime type (markdown, a traceback) drawn by its renderer. */
function RenderedText(props: { rendermime: IRenderMimeRegistry; mime: string; value: string }): JSX.Element {
  const { rendermime, mime, value } = props;
  const data = React.useMemo(() => ({ [mime]: value }), [mime, value]); // the same bundle: no redraw
  return <Rendered rendermime={rendermime} data={data} />;
}

/** A display or result output: its bundle, built once per output (the same bundle is not drawn again). */
function SavedBundle(props: { rendermime: IRenderMimeRegistry; output: IOutput }): JSX.Element {
  const { rendermime, output } = props;
  const data = React.useMemo(() => bundle(output.data as Record<string, unknown>), [output]);
  return <Rendered rendermime={rendermime} data={data} metadata={output.metadata as Record<string, unknown>} />;
}

function Output(props: { output: IOutput; rendermime: IRenderMimeRegistry }): JSX.Element | null {
  const { output, rendermime } = props;
  switch (output.output_type) {
    case 'stream':
      return (
        <pre className={`runlab-nb-stream runlab-nb-${String(output.name)}`}>{text(output.text as MultilineString)}</pre>
      );
    case 'error': {
      const traceback = (output.traceback as string[] | undefined)?.join('\n') || `${output.ename}: ${output.evalue}`;
      return <RenderedText rendermime={rendermime} mime="application/vnd.jupyter.stderr" value={traceback} />;
    }
    case 'execute_result':
    case 'display_data':
      return (
        <SavedBundle rendermime={rendermime} output={output} />
      );
    default:
      return null;
  }
}

function Cell(props: { cell: ICell; rendermime: IRenderMimeRegistry }): JSX.Element {
  const { cell, rendermime } = props;
  const source = text(cell.source);
  if (cell.cell_type === 'markdown') {
    return (
      <div className="runlab-nb-cell" data-cell-type="markdown">
        <RenderedText rendermime={rendermime} mime="text/markdown" value={source} />
      </div>
    );
  }
  if (cell.cell_type !== 'code') {
    return (
      <div className="runlab-nb-cell" data-cell-type={cell.cell_type}>
        <pre className="runlab-nb-source">{source}</pre>
      </div>
    );
  }
  const count = cell.execution_count as number | null;
  const outputs = (cell.outputs ?? []) as IOutput[];
  return (
    <div className="runlab-nb-cell" data-cell-type="code">
      <div className="runlab-nb-input">
        <span className="runlab-nb-prompt">[{count ?? ' '}]:</span>
        <pre className="runlab-nb-source">{source}</pre>
      </div>
      {outputs.length > 0 && (
        <div className="runlab-nb-outputs">
          {outputs.map((output, i) => (
            <Output key={i} output={output} rendermime={rendermime} />
          ))}
        </div>
      )}
    </div>
  );
}

/** A notebook's cells with their outputs, read-only. */
export function NotebookCells(props: { notebook: INotebookContent; rendermime: IRenderMimeRegistry }): JSX.Element {
  const { notebook, rendermime } = props;
  return (
    <div className="runlab-notebook">
      {notebook.cells.length === 0 && <div className="runlab-empty">This notebook has no cells.</div>}
      {notebook.cells.map((cell, i) => (
        <Cell key={i} cell={cell} rendermime={rendermime} />
      ))}
    </div>
  );
}

/** A main-area tab showing a notebook read-only: it starts no kernel and cannot be edited or saved. */
export class NotebookViewer extends MainAreaView {
  constructor(
    title: string,
    private readonly notebook: INotebookContent,
    private readonly rendermime: IRenderMimeRegistry,
    /** The run's artifact the notebook was read from: what a page reload reads again. */
    readonly source: INotebookSource
  ) {
    super();
    this.addClass('runlab-notebook-viewer');
    this.title.label = title;
    this.title.caption = `${title}: read-only, no kernel`;
    this.title.closable = true;
    this.node.tabIndex = -1;
  }

  /** Activating the tab puts the focus in it: JupyterLab highlights the tab of the widget holding the focus,
   * which must be the one shown. */
  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.focus();
  }

  render(): JSX.Element {
    return (
      <>
        <div className="runlab-muted runlab-notebook-note">
          Read-only: the notebook as the run left it, with its outputs. No kernel runs here.
        </div>
        <NotebookCells notebook={this.notebook} rendermime={this.rendermime} />
      </>
    );
  }
}
