import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { IPreview } from '../api';
import { valueText } from '../format';
import { RunPreview } from './model';
import { NotebookCells } from './notebook';

/** An artifact's preview: a table's first rows, an image, HTML in a sandboxed frame as tall as its content, an
 * executed notebook's cells and outputs, or text. */
export function ArtifactPreview(props: {
  preview: RunPreview | null;
  loadingKey: string | null;
  rendermime: IRenderMimeRegistry;
}): JSX.Element | null {
  const { preview } = props;
  if (!props.loadingKey) {
    return null;
  }
  if (!preview) {
    return <div className="runlab-muted">loading {props.loadingKey}…</div>;
  }
  switch (preview.kind) {
    case 'notebook':
      return (
        <div className="runlab-preview" data-kind="notebook">
          <NotebookCells key={preview.path} notebook={preview.notebook} rendermime={props.rendermime} />
        </div>
      );
    case 'table':
      return <TablePreview preview={preview} />;
    case 'image':
      return preview.src?.startsWith('data:image/') ? (
        <div className="runlab-preview" data-kind="image">
          <img className="runlab-image" src={preview.src} alt={preview.title} />
        </div>
      ) : null;
    case 'html':
      return (
        <div className="runlab-preview" data-kind="html">
          <HtmlFrame html={preview.html ?? ''} title={preview.title} />
        </div>
      );
    default:
      return (
        <div className="runlab-preview" data-kind={preview.kind}>
          {preview.note && <div className="runlab-muted">{preview.note}</div>}
          <pre className={preview.kind === 'error' ? 'runlab-pre runlab-error' : 'runlab-pre'}>{preview.text}</pre>
        </div>
      );
  }
}

/** The frame's height limits: a small table gets no empty space, a tall page stops at MAX (then it scrolls). */
const MIN_FRAME = 40;
const MAX_FRAME = 2400;

/** Runs inside the sandboxed frame (scripts allowed, no access to this page): tells the view the height of
 * the content whenever it changes. Standards mode (the doctype) makes the root element as tall as the content. */
const SIZE_REPORTER =
  '<script>(function () {' +
  'function report() { parent.postMessage({ runlabFrameHeight: ' +
  'Math.ceil(document.documentElement.getBoundingClientRect().height) }, "*"); }' +
  'new ResizeObserver(report).observe(document.documentElement); addEventListener("load", report);' +
  '})();</script>';

/** HTML in a sandboxed frame (its scripts run, but cannot reach JupyterLab) that grows to its content's height. */
function HtmlFrame(props: { html: string; title: string }): JSX.Element {
  const frame = React.useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = React.useState<number | null>(null);
  React.useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const reported = (event.data as { runlabFrameHeight?: unknown } | null)?.runlabFrameHeight;
      if (event.source === frame.current?.contentWindow && typeof reported === 'number' && reported >= 0) {
        setHeight(Math.min(MAX_FRAME, Math.max(MIN_FRAME, reported + 2)));
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);
  return (
    <iframe ref={frame} className="runlab-frame" sandbox="allow-scripts" srcDoc={`<!DOCTYPE html>${props.html}${SIZE_REPORTER}`}
      title={props.title} style={height === null ? undefined : { height: `${height}px` }}
      data-sized={height === null ? undefined : 'true'} />
  );
}

function TablePreview(props: { preview: IPreview }): JSX.Element {
  const { preview } = props;
  const shape = preview.shape ?? [];
  return (
    <div className="runlab-preview" data-kind="table">
      <div className="runlab-muted">
        {shape[0] ?? '?'} rows × {shape[1] ?? preview.columns?.length} columns
        {preview.rows && shape[0] && preview.rows.length < shape[0] ? ` (first ${preview.rows.length})` : ''}
      </div>
      <table className="runlab-table">
        <thead>
          <tr>
            {(preview.columns ?? []).map(c => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(preview.rows ?? []).map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j}>{valueText(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
