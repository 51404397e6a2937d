import * as React from 'react';

import { IRun } from '../api';
import { KeyValues } from '../components/keyValues';

/** The Parameters tab: the values the run was called with. */
export function Parameters(props: { run: IRun }): JSX.Element {
  return <KeyValues values={props.run.spec.parameters} empty="No parameters." />;
}
