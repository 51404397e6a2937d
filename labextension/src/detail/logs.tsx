import { downloadIcon, InputGroup, searchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { fullTime, isTerminal, timestamp } from '../format';
import { findAll } from './logsearch';
import { RunModel } from './model';

/** The log text with each match of the search marked (the current one apart) and, with `times`, each line's
 * start time before it (lines without one get an empty gutter, so the text stays aligned). */
function rendered(
  text: string, matches: number[], length: number, current: number, times: Map<number, string> | null
): React.ReactNode[] {
  const parts: React.ReactNode[] = [];
  let next = 0; // the first match not yet drawn
  let start = 0;
  for (const line of text.split('\n')) {
    const end = start + line.length;
    if (times && (line || end < text.length)) {
      const time = times.get(start);
      parts.push(
        <span key={`t${start}`} className="runlab-log-time" title={time ? fullTime(time) : 'no time recorded'}>
          {(time ? timestamp(time).slice(11) : '').padEnd(8)}{' '}
        </span>
      );
    }
    let from = start;
    while (next < matches.length && matches[next] + length <= end) {
      const at = matches[next];
      parts.push(text.slice(from, at));
      parts.push(
        <mark key={at} className={next === current ? 'runlab-log-current' : undefined} data-match={next}>
          {text.slice(at, at + length)}
        </mark>
      );
      from = at + length;
      next++;
    }
    parts.push(text.slice(from, end) + (end < text.length ? '\n' : ''));
    start = end + 1;
  }
  return parts;
}

/** The Logs tab: the run's output, tailed while it runs, scrolled to the end while "Follow" is on; a search
 * that marks every match and steps through them (Enter, Shift+Enter), and the whole log as a file. */
export function Logs(props: { model: RunModel }): JSX.Element {
  const { model } = props;
  const ref = React.useRef<HTMLPreElement>(null);
  const [query, setQuery] = React.useState('');
  const [current, setCurrent] = React.useState(0);
  const [showTimes, setShowTimes] = React.useState(true);
  const timed = model.logTimes.size > 0;
  const text = model.log;
  const matches = React.useMemo(() => findAll(text, query), [text, query]);
  const shown = matches.length ? Math.min(current, matches.length - 1) : -1;
  React.useEffect(() => {
    const pre = ref.current;
    if (!pre) {
      return;
    }
    if (query) {
      // the current match in view (a search wins over following the end)
      pre.querySelector('mark.runlab-log-current')?.scrollIntoView({ block: 'center' });
    } else if (model.follow) {
      pre.scrollTop = pre.scrollHeight;
    }
  });
  const step = (by: number) => {
    if (matches.length) {
      setCurrent((shown + by + matches.length) % matches.length);
    }
  };
  const live = model.run && !isTerminal(model.run.status.state);
  const run = model.run;
  return (
    <div className="runlab-logs">
      <div className="runlab-logs-bar">
        <label className="runlab-follow">
          <input type="checkbox" checked={model.follow} onChange={e => {
            model.follow = e.target.checked;
            model.setTab('Logs');
          }} />
          Follow
        </label>
        {timed && (
          <label className="runlab-log-times" title="Show when each line was written (local time)">
            <input type="checkbox" checked={showTimes} onChange={e => setShowTimes(e.target.checked)} />
            Times
          </label>
        )}
        <div className="runlab-logs-search">
          <InputGroup type="search" placeholder="Search the log" aria-label="Search the log" rightIcon={searchIcon}
            value={query} onChange={event => {
              setQuery(event.target.value);
              setCurrent(0);
            }}
            onKeyDown={event => {
              if (event.key === 'Enter') {
                event.preventDefault();
                step(event.shiftKey ? -1 : 1);
              }
            }} />
        </div>
        {query && (
          <span className="runlab-logs-count" role="status" aria-live="polite">
            {matches.length ? `${shown + 1} of ${matches.length}` : 'no match'}
          </span>
        )}
        {run && (
          <a className="jp-Button jp-mod-styled jp-mod-minimal runlab-logs-download"
            href={model.client.logDownloadUrl(model.uid, model.iteration)} download
            title={`Download the whole log as ${run.metadata.name}-${model.uid.slice(0, 8)}.log`}>
            <downloadIcon.react tag="span" elementPosition="center" />
            Download
          </a>
        )}
      </div>
      {live && <span className="runlab-muted"> live: new output appears as the run writes it</span>}
      <pre ref={ref} className="runlab-pre runlab-log" data-offset={model.logOffset}>
        {text ? (query || (timed && showTimes)
          ? rendered(text, matches, query.length, shown, timed && showTimes ? model.logTimes : null) : text)
          : live ? 'waiting for output…' : 'This run wrote nothing.'}
      </pre>
    </div>
  );
}
