import * as React from 'react';

import { RunModel } from './model';

/** The run's notes in the Overview: click (or Enter) to edit, Ctrl+Enter (or Cmd+Enter) saves, Escape cancels;
 * a refused text stays in the editor with the server's reason under it. */
export function Notes(props: { model: RunModel; notes: string }): JSX.Element {
  const { model, notes } = props;
  const [draft, setDraft] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [saving, setSaving] = React.useState(false);
  const editor = React.useRef<HTMLTextAreaElement>(null);
  React.useEffect(() => {
    if (draft !== null && editor.current && document.activeElement !== editor.current) {
      editor.current.focus();
    }
  }, [draft === null]);
  const edit = () => {
    setDraft(notes);
    setError(null);
  };
  const save = async () => {
    if (draft === null) {
      return;
    }
    setSaving(true);
    const refused = await model.saveNotes(draft);
    setSaving(false);
    setError(refused);
    if (!refused) {
      setDraft(null);
    }
  };
  if (draft === null) {
    return (
      <div className={`runlab-notes-text${notes ? '' : ' runlab-notes-empty'}`} role="button" tabIndex={0}
        title="Click to edit the notes" aria-label={notes ? `Notes: ${notes}. Edit` : 'Add notes'}
        onClick={edit} onKeyDown={event => event.key === 'Enter' && (event.preventDefault(), edit())}>
        {notes || 'Add notes (click to edit)'}
      </div>
    );
  }
  return (
    <div className="runlab-notes-edit">
      <textarea ref={editor} className="runlab-notes-editor" aria-label="Notes" value={draft} disabled={saving}
        onChange={event => setDraft(event.target.value)}
        onKeyDown={event => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void save();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            setDraft(null);
            setError(null);
          }
        }} />
      {error ? (
        <div className="runlab-notes-error" role="alert">{error}</div>
      ) : (
        <div className="runlab-notes-hint">{saving ? 'Saving…' : 'Ctrl+Enter saves, Escape cancels'}</div>
      )}
    </div>
  );
}
