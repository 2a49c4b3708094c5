import { eventually } from './eventually';

describe('eventually', () => {
  it('returns as soon as the check passes', async () => {
    let calls = 0;
    await eventually(() => void calls++);
    expect(calls).toBe(1);
  });

  it('retries a check that throws until it passes', async () => {
    let calls = 0;
    await eventually(() => expect(++calls).toBe(3));
    expect(calls).toBe(3);
  });

  it('retries a predicate that returns false until it returns anything else', async () => {
    let calls = 0;
    await eventually(async () => ++calls === 3);
    expect(calls).toBe(3);
  });

  it('fails with the last failure of a throwing check when the time is up', async () => {
    let calls = 0;
    const failed = eventually(() => {
      throw new Error(`attempt ${++calls}`);
    }, 100);
    await expect(failed).rejects.toThrow(/^attempt \d+$/);
    expect(calls).toBeGreaterThan(1);
    await expect(failed).rejects.toThrow(`attempt ${calls}`);
  });

  it('fails naming what it waited for when a predicate stays false', async () => {
    await expect(eventually(() => false, 100, 'the moon')).rejects.toThrow(
      'timed out after 100 ms waiting for the moon',
    );
  });
});
