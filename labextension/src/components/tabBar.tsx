import * as React from 'react';

/** The key that moves to another tab: the next or previous one (wrapping), the first or the last. */
const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1
};

/** A row of tabs, the active one underlined (ARIA tabs): only the active tab is in the Tab order, arrow
 * keys, Home and End select another one and move the focus to it. With ``idPrefix`` each tab names its
 * panel (``<idPrefix>-panel``), which names the tab back (see ``tabIds``). */
export function TabBar<T extends string>(props: {
  className: string;
  tabs: readonly T[];
  active: T;
  label?: (tab: T) => React.ReactNode;
  onSelect: (tab: T) => void;
  idPrefix?: string;
}): JSX.Element {
  const { active, label, onSelect, tabs, idPrefix } = props;
  const onKeyDown = (event: React.KeyboardEvent<HTMLButtonElement>, index: number) => {
    const move = MOVES[event.key];
    if (!move) {
      return;
    }
    event.preventDefault();
    const next = move(index, tabs.length);
    onSelect(tabs[next]);
    // the buttons are keyed by tab, so the same element is there after the re-render
    (event.currentTarget.parentElement?.children[next] as HTMLElement | undefined)?.focus();
  };
  return (
    <div className={props.className} role="tablist">
      {tabs.map((tab, index) => (
        <button key={tab} role="tab" aria-selected={active === tab} tabIndex={active === tab ? 0 : -1}
          id={idPrefix ? tabIds(idPrefix, tab).tab : undefined}
          aria-controls={idPrefix && active === tab ? tabIds(idPrefix, tab).panel : undefined}
          className={active === tab ? 'runlab-tab runlab-tab-active' : 'runlab-tab'}
          onClick={() => onSelect(tab)} onKeyDown={event => onKeyDown(event, index)}>
          {label ? label(tab) : tab}
        </button>
      ))}
    </div>
  );
}

/** The ids that tie a tab and its panel together. */
export function tabIds(idPrefix: string, tab: string): { tab: string; panel: string } {
  return { tab: `${idPrefix}-tab-${tab.toLowerCase()}`, panel: `${idPrefix}-panel` };
}
