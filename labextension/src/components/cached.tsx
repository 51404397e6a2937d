import * as React from 'react';

import { IRun } from '../api';

/** The label the run cache puts on a run it answered: the uid of the run that did the work. */
export const CACHED_FROM = 'cached-from';

/** The uid of the run whose results and artifacts this run reuses (it ran nothing), or null. */
export function cachedFrom(run: IRun): string | null {
  return run.metadata.labels?.[CACHED_FROM] || null;
}

const CACHED_TITLE = 'Nothing ran: the run cache returned the results and artifacts of an earlier run of the same ' +
  'code, handler, parameters and inputs';

/** In a list of runs: a run the cache answered, marked "cached from <uid>" (the row itself opens the run). */
export function CachedMark(props: { run: IRun }): JSX.Element | null {
  const source = cachedFrom(props.run);
  return source ? (
    <span className="runlab-cached-mark" data-cached-from={source} title={`${CACHED_TITLE} (${source})`}>
      cached from {source.slice(0, 8)}
    </span>
  ) : null;
}

/** In the run view's header: a chip that opens the run the cache took this run's results from. */
export function CachedChip(props: { run: IRun; openRun: (uid: string) => void }): JSX.Element | null {
  const source = cachedFrom(props.run);
  return source ? (
    <button className="runlab-cached-chip" data-cached-from={source} title={`${CACHED_TITLE}: open run ${source}`}
      onClick={() => props.openRun(source)}>
      cached from {source.slice(0, 8)}
    </button>
  ) : null;
}
