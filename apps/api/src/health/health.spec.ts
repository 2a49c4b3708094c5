import WebSocket from 'ws';
import { RunningApp, startApp } from '../testing/running-app';

describe('health and shutdown', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp()));
  afterAll(() => server.close());

  it('answers liveness and readiness with status ok', async () => {
    const live = await fetch(`${server.url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: { sessions: { status: 'up' }, lifecycle: { status: 'up' } },
    });
  });
});

describe('graceful shutdown', () => {
  it('closes WebSocket clients with 1001 and stops accepting connections', async () => {
    const server = await startApp();
    const ws = new WebSocket(`${server.wsUrl}/sessions/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await server.close();
    expect(await closed).toBe(1001);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('the shutdown watchdog', () => {
  it('ends with the shutdown it guards: a closed app never exits the process later', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    try {
      const server = await startApp({ SHUTDOWN_TIMEOUT_MS: '100' });
      await server.close();
      // Well past the timeout: an armed watchdog would have called process.exit(1) by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });
});
