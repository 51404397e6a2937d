import * as React from 'react';

import { codeSpans } from '../format';

/** Text whose `backticked` parts show as code (the panel's texts name Python calls and shell commands). */
export function CodeText(props: { text: string }): JSX.Element {
  return (
    <>
      {codeSpans(props.text).map((piece, i) => (piece.code ? <code key={i}>{piece.text}</code> : piece.text))}
    </>
  );
}
