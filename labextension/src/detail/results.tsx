import * as React from 'react';

import { IRun } from '../api';
import { KeyValues } from '../components/keyValues';

/** The Results tab: the values the run logged. */
export function Results(props: { run: IRun }): JSX.Element {
  return <KeyValues values={props.run.status.results} empty="No results (yet)." />;
}
