import { Dialog, showDialog } from '@jupyterlab/apputils';

/** Ask before a step that cannot be taken back; Cancel has the focus (Enter keeps things as they are). */
export async function confirm(title: string, body: string, label: string): Promise<boolean> {
  const answer = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label })],
    defaultButton: 0
  });
  return answer.button.accept;
}
