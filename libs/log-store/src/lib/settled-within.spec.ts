import { settledWithin } from './settled-within';

describe('settledWithin', () => {
  it("answers the work's result when it settles first", async () => {
    await expect(settledWithin(Promise.resolve('done'), 60_000, 'late')).resolves.toBe('done');
  });

  it("passes the work's failure on", async () => {
    await expect(settledWithin(Promise.reject(new Error('refused')), 60_000, 'late')).rejects.toThrow('refused');
  });

  it('answers `otherwise` for work that never settles', async () => {
    await expect(settledWithin(new Promise<string>(() => undefined), 1, 'late')).resolves.toBe('late');
  });
});
