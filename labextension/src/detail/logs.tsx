import * as React from 'react';

import { isTerminal } from '../format';
import { RunModel } from './model';

/** The Logs tab: the run's output, tailed while it runs, scrolled to the end while "Follow" is on. */
export function Logs(props: { model: RunModel }): JSX.Element {
  const { model } = props;
  const ref = React.useRef<HTMLPreElement>(null);
  React.useEffect(() => {
    if (model.follow && ref.current) {
      ref.current.scrollTop = ref.current.scrollHeight;
    }
  });
  const live = model.run && !isTerminal(model.run.status.state);
  return (
    <div className="runlab-logs">
      <label className="runlab-follow">
        <input type="checkbox" checked={model.follow} onChange={e => {
          model.follow = e.target.checked;
          model.setTab('Logs');
        }} />
        Follow
      </label>
      {live && <span className="runlab-muted"> live: new output appears as the run writes it</span>}
      <pre ref={ref} className="runlab-pre runlab-log" data-offset={model.logOffset}>
        {model.log || (live ? 'waiting for output…' : 'This run wrote nothing.')}
      </pre>
    </div>
  );
}
