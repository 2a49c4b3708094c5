import { Listeners } from './listeners';

describe('Listeners', () => {
  it('gives one function added twice two subscriptions, each unsubscribe taking away one', () => {
    const listeners = new Listeners<string>();
    const heard: string[] = [];
    const listener = (what: string) => heard.push(what);
    const first = listeners.add(listener);
    listeners.add(listener);
    listeners.emit('both', undefined);
    first();
    first();
    listeners.emit('one', undefined);
    expect(heard).toEqual(['both', 'both', 'one']);
    expect(listeners.size).toBe(1);
  });
});
