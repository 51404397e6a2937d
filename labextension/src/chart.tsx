// A chart drawn by JupyterLab's own renderer for its MIME type (Vega-Lite here): themed, with its tooltips,
// and drawn again when the theme changes between light and dark.

import { MimeModel, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

/** Whether JupyterLab's current theme is light, following theme changes. */
function useLightTheme(): boolean {
  const read = () => document.body.dataset.jpThemeLight !== 'false';
  const [light, setLight] = React.useState(read);
  React.useEffect(() => {
    const observer = new MutationObserver(() => setLight(read()));
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
    return () => observer.disconnect();
  }, []);
  return light;
}

/** `spec` rendered by the renderer JupyterLab registered for `mimeType`, or a note saying why it is not. */
export function MimeChart(props: {
  rendermime: IRenderMimeRegistry | null;
  mimeType: string;
  spec: Record<string, unknown>;
  className?: string;
}): JSX.Element {
  const { rendermime, mimeType } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const light = useLightTheme();
  const [problem, setProblem] = React.useState<string | null>(null);
  const text = JSON.stringify(props.spec); // polling hands a new object with the same content: draw once
  React.useEffect(() => {
    const data = { [mimeType]: JSON.parse(text) };
    if (!rendermime || !host.current || !rendermime.preferredMimeType(data, 'any')) {
      setProblem(`JupyterLab has no renderer for ${mimeType} here, so the chart cannot be drawn.`);
      return;
    }
    setProblem(null);
    const renderer = rendermime.createRenderer(mimeType);
    // SVG keeps the axis titles as text; the menu offers saving the chart, not the network-bound editor
    const options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
    const model = new MimeModel({ data, metadata: { [mimeType]: { embed_options: options } } });
    Widget.attach(renderer, host.current);
    renderer.renderModel(model).catch(error => {
      if (!renderer.isDisposed) {
        setProblem(`The chart could not be drawn: ${error}`);
      }
    });
    return () => renderer.dispose();
  }, [rendermime, mimeType, text, light]);
  return (
    <div className={props.className} data-theme-light={String(light)}>
      {problem && <div className="runlab-empty">{problem}</div>}
      <div ref={host} />
    </div>
  );
}
