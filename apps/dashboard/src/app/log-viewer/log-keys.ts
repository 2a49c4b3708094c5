export type KeyAction =
  | 'focus-filter'
  | 'follow'
  | 'top'
  | 'bottom'
  | 'next-error'
  | 'previous-error'
  | 'next-line'
  | 'previous-line'
  | 'clear'
  | 'help';

const ACTIONS: Record<string, KeyAction> = {
  '/': 'focus-filter',
  f: 'follow',
  g: 'top',
  G: 'bottom',
  n: 'next-error',
  N: 'previous-error',
  j: 'next-line',
  k: 'previous-line',
  Escape: 'clear',
  '?': 'help',
};

/** The log viewer's action for a key, if it has one. */
export function keyAction(key: string): KeyAction | null {
  return ACTIONS[key] ?? null;
}

/** True while the user types in a field (or a list box has the keys): shortcuts stay quiet. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return !!target.closest('[role="listbox"], [role="combobox"], [role="menu"], .mat-mdc-select');
}
