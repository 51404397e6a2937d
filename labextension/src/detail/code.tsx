import { InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICode, IEnvironment, IRun, RunlabClient } from '../api';
import { Diff } from '../components/diff';
import { explain } from '../components/errorText';
import { KeyValues } from '../components/keyValues';

/** The most packages listed at once; the filter finds the others. */
const MAX_PACKAGES = 500;

/** The Code tab: what the run ran. Its code (sha256 and file, or a notebook cell's source), the git commit,
 * branch and uncommitted diff of the file's repository, and the Python environment with a filterable list
 * of its packages. A sweep's iteration shows its sweep's (iteration 0's) capture. */
export function CodeTab(props: { run: IRun; client: RunlabClient }): JSX.Element {
  const { run, client } = props;
  const [parent, setParent] = React.useState<ICode | null | undefined>(undefined);
  const own = run.spec.code;
  const child = !own && run.metadata.iteration > 0;
  React.useEffect(() => {
    if (child) {
      client.run(run.metadata.uid, 0).then(
        r => setParent(r.spec.code ?? null),
        () => setParent(null)
      );
    }
  }, [run.metadata.uid, child]);
  const code = own ?? (child ? parent : null);
  if (code === undefined) {
    return <div className="runlab-empty">loading…</div>;
  }
  if (!code) {
    return (
      <div className="runlab-empty">
        This run was recorded without its code: capture was turned off (<code>RUNLAB_CAPTURE=0</code>), or runlab was
        older when it ran.
      </div>
    );
  }
  return (
    <div className="runlab-code">
      {child && <div className="runlab-muted">The sweep's iterations share its capture (iteration 0).</div>}
      <h3>Code</h3>
      <KeyValues
        values={{
          sha256: code.sha256 ?? 'not readable (no source file or text)',
          file: code.path ?? 'defined in a notebook cell',
          host: code.host,
          user: code.user
        }}
        empty=""
      />
      {code.source !== undefined && (
        <pre className="runlab-code-source" aria-label="Source">
          {code.source}
        </pre>
      )}
      <GitSection code={code} />
      <EnvironmentSection hash={code.environment} client={client} />
    </div>
  );
}

function GitSection(props: { code: ICode }): JSX.Element {
  const git = props.code.git;
  return (
    <>
      <h3>Git</h3>
      {git ? (
        <>
          <KeyValues
            values={{
              commit: git.commit ?? 'none yet (no commit)',
              branch: git.branch ?? 'detached HEAD',
              repository: git.root,
              state: git.dirty === undefined ? 'unknown' : git.dirty ? 'uncommitted changes' : 'clean'
            }}
            empty=""
          />
          {git.diff ? <Diff text={git.diff} truncated={!!git.diff_truncated} /> : null}
        </>
      ) : (
        <div className="runlab-empty">The code is not in a git repository (or git is not installed).</div>
      )}
    </>
  );
}

function EnvironmentSection(props: { hash: string; client: RunlabClient }): JSX.Element {
  const [env, setEnv] = React.useState<IEnvironment | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    setEnv(null);
    setError(null);
    props.client.environment(props.hash).then(setEnv, e => setError(explain(e)));
  }, [props.hash]);
  return (
    <>
      <h3>Environment</h3>
      {error ? (
        <div className="runlab-error">{error}</div>
      ) : env ? (
        <Packages env={env} />
      ) : (
        <div className="runlab-empty">loading…</div>
      )}
    </>
  );
}

/** An environment's Python, platform and hash, and its packages with a filter. */
function Packages(props: { env: IEnvironment }): JSX.Element {
  const { env } = props;
  const [filter, setFilter] = React.useState('');
  const words = filter.trim().toLowerCase();
  const shown = words ? env.packages.filter(p => p.toLowerCase().includes(words)) : env.packages;
  return (
    <>
      <KeyValues
        values={{
          python: `${env.implementation} ${env.python}`,
          platform: env.platform,
          packages: env.packages.length,
          hash: env.hash
        }}
        empty=""
      />
      <InputGroup
        className="runlab-code-filter"
        type="text"
        aria-label="Filter packages"
        placeholder="Filter packages"
        rightIcon="ui-components:search"
        value={filter}
        onChange={e => setFilter((e.target as HTMLInputElement).value)}
      />
      <ul className="runlab-code-packages" aria-label="Packages">
        {shown.slice(0, MAX_PACKAGES).map(p => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <div className="runlab-muted runlab-code-count">
        {shown.length === env.packages.length
          ? `${env.packages.length} packages`
          : `${shown.length} of ${env.packages.length} packages`}
        {shown.length > MAX_PACKAGES ? ` (the first ${MAX_PACKAGES} shown: filter to find the others)` : ''}
      </div>
    </>
  );
}
