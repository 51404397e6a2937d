import * as React from 'react';

/** A row of tabs, the active one underlined. */
export function TabBar<T extends string>(props: {
  className: string;
  tabs: readonly T[];
  active: T;
  label?: (tab: T) => string;
  onSelect: (tab: T) => void;
}): JSX.Element {
  const { active, label, onSelect } = props;
  return (
    <div className={props.className} role="tablist">
      {props.tabs.map(tab => (
        <button key={tab} role="tab" aria-selected={active === tab}
          className={active === tab ? 'runlab-tab runlab-tab-active' : 'runlab-tab'}
          onClick={() => onSelect(tab)}>
          {label ? label(tab) : tab}
        </button>
      ))}
    </div>
  );
}
