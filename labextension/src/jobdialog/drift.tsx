import * as React from 'react';

import { IDrift } from '../api';
import { Diff } from '../components/diff';

/** What changed since the run ran (its code, its environment), shown above the "Rerun with changes" form:
 * the same warning `run.rerun()` gives in Python. Nothing when nothing changed or the run was not captured. */
export function DriftWarning(props: { drift: IDrift | null }): JSX.Element | null {
  const { drift } = props;
  const code = drift?.code?.changed ? drift.code : null;
  const env = drift?.environment?.changed ? drift.environment : null;
  if (!code && !env) {
    return null;
  }
  const file = code?.path ? code.path.split('/').pop() : "the handler's source";
  const items: string[] = [];
  if (env?.python) {
    items.push(`Python ${env.python[0]} → ${env.python[1]}`);
  }
  if (env?.platform) {
    items.push(`platform ${env.platform[0]} → ${env.platform[1]}`);
  }
  for (const [key, word] of [['added', 'added'], ['removed', 'removed'], ['changed_packages', 'changed']] as const) {
    const names = env?.[key] ?? [];
    if (names.length) {
      items.push(`${word}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${names.length - 10} more` : ''}`);
    }
  }
  if (env && !items.length) {
    items.push(`${env.old.slice(0, 8)} → ${env.new.slice(0, 8)} (the run's environment is not stored)`);
  }
  return (
    <div className="runlab-rerun-drift" role="alert">
      <div className="runlab-rerun-drift-title">This rerun will not run what the run ran</div>
      {code && (
        <div className="runlab-rerun-drift-code">
          {code.new === null
            ? `Its code (${file}) can no longer be read (recorded sha256 ${code.old.slice(0, 8)}).`
            : `Its code changed: ${file} ${code.old.slice(0, 8)} → ${code.new.slice(0, 8)}.`}
          {code.diff && <Diff text={code.diff} label="Source changes" />}
        </div>
      )}
      {env && (
        <div className="runlab-rerun-drift-env">
          The environment changed (the Jupyter server's, which a rerun from here runs in):
          <ul>
            {items.map(item => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
