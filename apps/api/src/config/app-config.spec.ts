import { totalmem } from 'node:os';
import { AppConfig, usableMemory } from './app-config';

describe('the default LOG_MEMORY_BYTES', () => {
  const GiB = 1024 ** 3;

  it("is a quarter of the memory the process may use: its cgroup's limit when lower than the machine's", () => {
    // A container limited to 1 GiB on a 64 GiB host: a 16 GiB budget would have it OOM-killed long before evicting.
    expect(usableMemory(64 * GiB, 1 * GiB)).toBe(1 * GiB);
    // libuv's answers without a limit: 0, or a number past the machine's memory (cgroup v2's "max").
    expect(usableMemory(64 * GiB, 0)).toBe(64 * GiB);
    expect(usableMemory(64 * GiB, 2 ** 64)).toBe(64 * GiB);
  });

  it('is what AppConfig starts with on this machine', () => {
    const limit = process.constrainedMemory();
    const usable = limit > 0 && limit < totalmem() ? limit : totalmem();
    expect(new AppConfig().logMemoryBytes).toBe(Math.floor(usable / 4));
  });
});
