import * as React from 'react';

import { RunlabApiError } from '../api';

/** What went wrong, said so that the user knows what to do. */
export function explain(error: unknown): string {
  if (error instanceof RunlabApiError) {
    if (error.status === 404 && error.message === 'Not Found') {
      return (
        'The runlab server extension is not answering. Install runlab in the Python environment that runs ' +
        'this Jupyter server, check that `jupyter server extension list` shows runlab.server enabled, and ' +
        'restart the server.'
      );
    }
    if (error.status === 0) {
      return `${error.message}. Is the Jupyter server still running?`;
    }
    if (error.status >= 500) {
      return `The run store cannot be read (HTTP ${error.status}): ${error.message}. Check RUNLAB_DB_URL / RUNLAB_HOME of the server.`;
    }
    return error.message;
  }
  return String(error);
}

/** An error message announced to screen readers; nothing when there is no error. */
export function ErrorAlert(props: { message: string | null }): JSX.Element | null {
  if (!props.message) {
    return null;
  }
  return (
    <div className="runlab-error" role="alert">
      {props.message}
    </div>
  );
}
