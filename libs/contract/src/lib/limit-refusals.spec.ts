import { bodyTooLarge, dataTooLarge, messageTooLong, namedLimit, tooManyEntries } from './limit-refusals';

describe('refusals that name a limit', () => {
  it('give back the limit each names, and nothing for another setting or another message', () => {
    expect(namedLimit(bodyTooLarge(20_000), 'MAX_BODY_BYTES')).toBe(20_000);
    expect(namedLimit(messageTooLong('entries[2].message', 512), 'MAX_MESSAGE_BYTES')).toBe(512);
    expect(namedLimit(dataTooLarge('entries[2].data', 300), 'MAX_DATA_BYTES')).toBe(300);
    expect(namedLimit(dataTooLarge('entries[2].data', 300), 'MAX_BODY_BYTES')).toBeNull();
    expect(namedLimit(tooManyEntries(11, 10), 'MAX_BATCH_ENTRIES')).toBe(10);
    expect(namedLimit(tooManyEntries(11, 10), 'MAX_BODY_BYTES')).toBeNull();
    expect(namedLimit('session 0123 not found', 'MAX_MESSAGE_BYTES')).toBeNull();
  });
});
