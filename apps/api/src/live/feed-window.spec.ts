import { FeedWindow } from './feed-window';

describe('FeedWindow', () => {
  const windows: FeedWindow[] = [];
  const windowOf = (ms: number, close: (closedAt: number) => void = () => undefined) => {
    const window = new FeedWindow(ms, close);
    windows.push(window);
    return window;
  };
  afterEach(() => windows.splice(0).forEach((window) => window.stop()));

  it('starts with the fixed allowance plus a tenth of the window as its lead', () => {
    expect(windowOf(100).lead('delta')).toBe(30);
    expect(windowOf(100).lead('listing')).toBe(30);
  });

  it('leads by a slower measure at once and by a faster one an eighth of the way', () => {
    const window = windowOf(1000);
    window.measured('listing', 200);
    expect(window.lead('listing')).toBe(300);
    expect(window.lead('delta')).toBe(120);
    window.measured('listing', 40);
    expect(window.lead('listing')).toBe(280);
  });

  it('never leads by more than half the window', () => {
    const window = windowOf(100);
    window.measured('delta', 5000);
    expect(window.lead('delta')).toBe(50);
  });

  it('moves an open window forward for a sooner close, never back', async () => {
    const closes: number[] = [];
    const window = windowOf(1000, (closedAt) => closes.push(closedAt));
    const start = performance.now();
    window.arm(400);
    window.arm(20);
    window.arm(300);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(closes).toHaveLength(1);
    expect(closes[0] - start).toBeGreaterThanOrEqual(20);
    expect(closes[0] - start).toBeLessThan(300);
  });
});
