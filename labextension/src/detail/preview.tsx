import * as React from 'react';

import { IPreview } from '../api';
import { valueText } from '../format';

/** An artifact's preview: a table's first rows, an image, HTML in a sandboxed frame, or text. */
export function ArtifactPreview(props: { preview: IPreview | null; loadingKey: string | null }): JSX.Element | null {
  const { preview } = props;
  if (!props.loadingKey) {
    return null;
  }
  if (!preview) {
    return <div className="runlab-muted">loading {props.loadingKey}…</div>;
  }
  switch (preview.kind) {
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
          <iframe className="runlab-frame" sandbox="allow-scripts" srcDoc={preview.html} title={preview.title} />
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
