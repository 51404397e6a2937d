import * as React from 'react';

/** A unified diff, its added and removed lines coloured by the theme. */
export function Diff(props: { text: string; truncated?: boolean; label?: string }): JSX.Element {
  const lines = props.text.replace(/\n$/, '').split('\n');
  return (
    <>
      <pre className="runlab-code-diff" aria-label={props.label ?? 'Uncommitted changes'}>
        {lines.map((line, i) => (
          <div key={i} className={diffClass(line)}>
            {line || ' '}
          </div>
        ))}
      </pre>
      {props.truncated && <div className="runlab-muted">The diff was longer than 256 KB: its start is shown.</div>}
    </>
  );
}

function diffClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) {
    return 'runlab-diff-file';
  }
  if (line.startsWith('@@')) {
    return 'runlab-diff-hunk';
  }
  if (line.startsWith('+')) {
    return 'runlab-diff-add';
  }
  if (line.startsWith('-')) {
    return 'runlab-diff-del';
  }
  return 'runlab-diff-same';
}
