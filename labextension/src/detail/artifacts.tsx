import * as React from 'react';

import { isSafeLink } from '../links';
import { IRunActions, RunModel } from './model';
import { ArtifactPreview } from './preview';

/** The Artifacts tab: each artifact with its size and path, to preview, download or open. */
export function Artifacts(props: { model: RunModel; actions: IRunActions }): JSX.Element {
  const { model, actions } = props;
  const artifacts = model.run?.status.artifacts ?? [];
  if (!artifacts.length) {
    return <div className="runlab-empty">This run logged no artifacts.</div>;
  }
  return (
    <div>
      <table className="runlab-table runlab-artifacts">
        <thead>
          <tr>
            <th>key</th>
            <th>kind</th>
            <th>size</th>
            <th>path</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {artifacts.map(a => {
            const download = model.client.artifactUrl(model.uid, a.producer.iteration, a.key, true);
            return (
              <tr key={a.key} className={model.previewKey === a.key ? 'runlab-selected' : ''}>
                <td>
                  <button className="runlab-link" data-artifact={a.key} onClick={() => void model.openPreview(a)}>
                    {a.key}
                  </button>
                </td>
                <td>{a.kind}</td>
                <td>{a.size === null ? '' : `${a.size.toLocaleString()} B`}</td>
                <td className="runlab-path" title={a.target_path}>
                  {a.target_path}
                </td>
                <td className="runlab-actions">
                  {isSafeLink(download) && (
                    <a href={download} download>
                      Download
                    </a>
                  )}
                  {a.root_path && (
                    <button className="runlab-link" onClick={() => actions.openFile(a.root_path!)}>
                      Open
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ArtifactPreview preview={model.preview} loadingKey={model.previewKey} rendermime={actions.rendermime} />
    </div>
  );
}
