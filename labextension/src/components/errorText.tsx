import * as React from 'react';

import { RunlabApiError } from '../api';
import { splitMessage } from '../format';
import { CodeText } from './codeText';

/** What went wrong, said so that the user knows what to do: a one-line summary, then (after a line break)
 * the details and the fix. The server's messages never hold a password or a traceback. */
export function explain(error: unknown): string {
  if (error instanceof RunlabApiError) {
    if (error.status === 404 && error.message === 'Not Found') {
      return (
        'The runlab server extension is not answering.\n' +
        'Install runlab in the Python environment that runs this Jupyter server, check that ' +
        '`jupyter server extension list` shows runlab.server enabled, and restart the server.'
      );
    }
    if (error.status === 0) {
      return (
        'Server unreachable; retrying…\n' +
        'The Jupyter server has stopped or the network is down. This panel tries again, less and less often, and ' +
        'recovers by itself once the server is back.'
      );
    }
    if (error.status === 503) {
      return `The run store cannot be reached.\n${error.message}`;
    }
    if (error.status >= 500) {
      return `The runlab server failed (HTTP ${error.status}).\n${error.message}`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** An error announced to screen readers: its summary on one line (cut with an ellipsis when long) and
 * the details, with the fix, one click away; nothing when there is no error. */
export function ErrorAlert(props: { message: string | null }): JSX.Element | null {
  if (!props.message) {
    return null;
  }
  const { summary, details } = splitMessage(props.message);
  return (
    <div className="runlab-error" role="alert" title={props.message}>
      {details ? (
        <details>
          <summary className="runlab-error-summary">{summary}</summary>
          <div className="runlab-error-details">
            <CodeText text={details} />
          </div>
        </details>
      ) : (
        <div className="runlab-error-summary">
          <CodeText text={summary} />
        </div>
      )}
    </div>
  );
}
