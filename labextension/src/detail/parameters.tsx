import * as React from 'react';

import { IRun } from '../api';
import { KeyValues } from '../components/keyValues';
import { valueText } from '../format';

/** The Parameters tab: the values the run was called with; for a sweep also the values it tried (each
 * hyper-parameter's list), its strategy, its selector and its other options. */
export function Parameters(props: { run: IRun }): JSX.Element {
  const spec = props.run.spec;
  const hyperparams = (spec.hyperparams ?? {}) as Record<string, unknown>;
  const options = (spec.hyper_param_options ?? {}) as Record<string, unknown>;
  const sweep = Object.keys(hyperparams).length > 0 || Object.keys(options).length > 0;
  if (!sweep) {
    return <KeyValues values={spec.parameters} empty="No parameters." />;
  }
  const { strategy, selector, ...others } = options;
  return (
    <div className="runlab-sweep-params">
      <h3>Parameters</h3>
      <KeyValues values={spec.parameters} empty="No fixed parameters: every value comes from the sweep." />
      <h3>Hyper-parameters</h3>
      <table className="runlab-table runlab-hyperparams">
        <tbody>
          {Object.entries(hyperparams).map(([name, values]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className="runlab-value">
                {Array.isArray(values) ? (
                  <>
                    {values.map((v, i) => (
                      <span key={i} className="runlab-sweep-value">
                        {valueText(v)}
                      </span>
                    ))}
                    <span className="runlab-muted"> ({values.length} values)</span>
                  </>
                ) : (
                  valueText(values)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Sweep</h3>
      <KeyValues
        values={{
          strategy: strategy ?? 'grid (the default)',
          selector: selector || 'none: no best iteration is picked',
          ...others
        }}
        empty=""
      />
    </div>
  );
}
