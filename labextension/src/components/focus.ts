/** Focus a main-area widget's node when it is activated, unless the focus is already inside it.
 *
 * JupyterLab's current widget (the highlighted tab, and what the palette's commands act on) follows the
 * focus: a widget shown without taking it leaves the previous widget current. The node needs a tabIndex. */
export function focusOnActivate(node: HTMLElement): void {
  if (!node.contains(document.activeElement)) {
    node.focus();
  }
}
