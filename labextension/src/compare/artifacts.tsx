// Artifacts side by side: pick a key, see it for every compared run. Images in a grid where Left/Right step
// the focused image through the runs; tables, HTML and notebooks in columns, drawn as the run view draws them.

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorAlert } from '../components/errorText';
import { ArtifactPreview } from '../detail/preview';
import { CompareModel, ISideBySide } from './model';

function Missing(): JSX.Element {
  return <div className="runlab-muted runlab-compare-missing">not logged</div>;
}

/** Every run's image in a grid; the focused one is also shown large, and the arrow keys step through the runs. */
function ImageGrid(props: { sides: ISideBySide[] }): JSX.Element {
  const { sides } = props;
  const [focused, setFocused] = React.useState(0);
  const grid = React.useRef<HTMLDivElement>(null);
  const step = (to: number) => {
    const index = (to + sides.length) % sides.length;
    setFocused(index);
    grid.current?.querySelectorAll<HTMLElement>('.runlab-compare-image')[index]?.focus();
  };
  const current = sides[Math.min(focused, sides.length - 1)];
  return (
    <div className="runlab-compare-imageview">
      <div className="runlab-compare-stage" aria-live="polite">
        <div className="runlab-compare-stage-label">
          {current.run.label} ({focused + 1} of {sides.length}; ← → step through the runs)
        </div>
        {current.preview?.kind === 'image' && current.preview.src?.startsWith('data:image/')
          ? <img src={current.preview.src} alt={`${current.preview.title} of ${current.run.label}`} />
          : <Missing />}
      </div>
      <div className="runlab-compare-images" ref={grid} onKeyDown={event => {
        if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
          event.preventDefault();
          step(focused + (event.key === 'ArrowRight' ? 1 : -1));
        }
      }}>
        {sides.map((side, i) => (
          <figure key={i} className="runlab-compare-image" tabIndex={0} aria-current={i === focused || undefined}
            data-uid={side.run.uid} data-iteration={side.run.iteration} onFocus={() => setFocused(i)}
            onClick={() => setFocused(i)}>
            {side.preview?.kind === 'image' && side.preview.src?.startsWith('data:image/')
              ? <img src={side.preview.src} alt={`${side.preview.title} of ${side.run.label}`} />
              : <Missing />}
            <figcaption title={side.run.label}>{side.run.label}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

/** Any other kind: one column per run, each the preview the run view draws (HTML in a sandboxed frame). */
function Columns(props: { sides: ISideBySide[]; rendermime: IRenderMimeRegistry; artifactKey: string }): JSX.Element {
  return (
    <div className="runlab-compare-sides">
      {props.sides.map((side, i) => (
        <div key={i} className="runlab-compare-side" data-uid={side.run.uid} data-iteration={side.run.iteration}>
          <div className="runlab-compare-side-label" title={side.run.label}>{side.run.label}</div>
          {side.preview
            ? <ArtifactPreview preview={side.preview} loadingKey={props.artifactKey} rendermime={props.rendermime} />
            : <Missing />}
        </div>
      ))}
    </div>
  );
}

export function CompareArtifacts(props: { model: CompareModel; rendermime: IRenderMimeRegistry }): JSX.Element {
  const { model } = props;
  const keys = model.artifactKeys;
  if (!keys.length) {
    return <div className="runlab-empty">None of these runs logged an artifact.</div>;
  }
  const sides = model.artifacts;
  const images = sides?.some(s => s.preview) && sides.every(s => !s.preview || s.preview.kind === 'image');
  return (
    <div className="runlab-compare-artifacts">
      <label className="runlab-compare-pick">
        Artifact{' '}
        <HTMLSelect aria-label="Artifact key" value={model.artifactKey}
          onChange={event => void model.pickArtifact(event.currentTarget.value)}
          options={[{ value: '', label: `Pick one of ${keys.length} keys` }, ...keys.map(k => ({ value: k, label: k }))]} />
      </label>
      <ErrorAlert message={model.artifactError} />
      {model.artifactKey && !sides && !model.artifactError && <div className="runlab-muted">loading {model.artifactKey}…</div>}
      {sides && (images
        ? <ImageGrid key={model.artifactKey} sides={sides} />
        : <Columns sides={sides} rendermime={props.rendermime} artifactKey={model.artifactKey} />)}
    </div>
  );
}
