import * as React from 'react';

import { IRun } from '../api';
import { KeyValues } from '../components/keyValues';

/** The Inputs tab: the data items the run was given, by name. */
export function Inputs(props: { run: IRun }): JSX.Element {
  return <KeyValues values={props.run.spec.inputs} empty="No inputs." />;
}
