import { shortcutOf } from './log-keys';

/** A keydown on `target` (the page by default), as the document's listener receives it. */
function press(key: string, target: Element = document.body, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

describe('log viewer shortcuts', () => {
  const filter = document.createElement('input');
  const other = document.createElement('input');
  beforeAll(() => document.body.append(filter, other));

  it('maps keys on the page to actions, and nothing with a modifier or while a dialog is open', () => {
    expect(shortcutOf(press('j'), filter, false)).toBe('next-line');
    expect(shortcutOf(press('G'), filter, false)).toBe('bottom');
    expect(shortcutOf(press('x'), filter, false)).toBeNull();
    expect(shortcutOf(press('j', document.body, { ctrlKey: true }), filter, false)).toBeNull();
    expect(shortcutOf(press('j'), filter, true)).toBeNull();
  });

  it('leaves the keys to a field being typed in, but for Esc in the filter', () => {
    expect(shortcutOf(press('j', filter), filter, false)).toBeNull();
    expect(shortcutOf(press('Escape', filter), filter, false)).toBe('leave-filter');
    expect(shortcutOf(press('Escape', other), filter, false)).toBeNull();
  });

  it('takes the keys on a focused checkbox (Wrap, a tick in the table), where nothing is typed', () => {
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    document.body.append(checkbox);
    expect(shortcutOf(press('j', checkbox), filter, false)).toBe('next-line');
    expect(shortcutOf(press('?', checkbox), filter, false)).toBe('help');
    expect(shortcutOf(press('Escape', checkbox), filter, false)).toBe('clear');
    checkbox.remove();
  });

  it('leaves a key a handler took already', () => {
    const event = press('j');
    event.preventDefault();
    expect(shortcutOf(event, filter, false)).toBeNull();
  });
});
