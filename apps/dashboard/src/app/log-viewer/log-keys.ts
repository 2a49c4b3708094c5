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
function keyAction(key: string): KeyAction | null {
  return ACTIONS[key] ?? null;
}

/** `Esc` in the filter field: the text goes, and the keys are the page's again. */
export type FilterKeyAction = 'leave-filter';

/**
 * What a key pressed on the page asks of the log viewer, if anything: nothing with a modifier,
 * nor one a handler took already, nor while a dialog is open; while the user types, only `Esc`
 * in the filter field (`filter`).
 */
export function shortcutOf(
  event: KeyboardEvent,
  filter: Element,
  dialogOpen: boolean,
): KeyAction | FilterKeyAction | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTyping(event.target)) return event.key === 'Escape' && event.target === filter ? 'leave-filter' : null;
  if (dialogOpen) return null;
  return keyAction(event.key);
}

/** Inputs no text is typed in: a letter on a focused checkbox (Wrap, a table row's tick) is the page's key. */
const UNTYPED_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'file', 'color', 'range']);

/** True while the user types in a field (or a list box has the keys): shortcuts stay quiet. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement && UNTYPED_INPUTS.has(target.type)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return !!target.closest('[role="listbox"], [role="combobox"], [role="menu"], .mat-mdc-select');
}
