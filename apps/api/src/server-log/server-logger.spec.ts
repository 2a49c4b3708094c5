import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LogCursorPage, SessionList } from '@zen/contract';
import { JSON_HEADERS } from '@zen/testing';
import { loadConfig } from '../config/load-config';
import { createApp } from '../create-app';

describe('ServerLogger (real server)', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    app = await createApp(loadConfig({ PORT: '0' }));
    // Keep the test output quiet: the console side is ConsoleLogger's, the session side is ours.
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    jest.restoreAllMocks();
  });

  async function serverLog(): Promise<LogCursorPage> {
    const list = (await (await fetch(`${base}/sessions/`)).json()) as SessionList;
    return (await (await fetch(`${base}/sessions/${list.serverSessionId}/log`)).json()) as LogCursorPage;
  }

  it('appends start-up messages logged before the server session existed', async () => {
    const { entries } = await serverLog();
    expect(entries.some((entry) => entry.message === 'Starting Nest application...')).toBe(true);
    expect(entries.find((entry) => entry.message.startsWith('Mapped {/sessions'))?.data).toEqual({
      context: 'RouterExplorer',
    });
  });

  // A session's name comes from a client: the lines that name it are printed on the server's
  // console, which an ESC, a C1 CSI (U+009B) or a DEL in it must not drive.
  it('names a session created and ended with the control characters of its appname and mode escaped', async () => {
    const stdout = process.stdout.write as unknown as jest.Mock;
    const id = 'c0c0c0c0c0c0c0c0c0c0c0c0';
    const appname = 'Cook\u001b[2J\u009b31mEditor\u007f';
    const created = await fetch(`${base}/sessions/${id}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ appname, mode: 'm\u009bode' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/sessions/${id}`, { method: 'DELETE' })).status).toBe(200);
    const lines = (await serverLog()).entries.map((entry) => entry.message).filter((line) => line.includes(id));
    expect(lines).toEqual([
      `session ${id} created (appname "Cook\\u001b[2J\\u009b31mEditor\\u007f", mode "m\\u009bode")`,
      `session ${id} ended (appname "Cook\\u001b[2J\\u009b31mEditor\\u007f")`,
    ]);
    const printed = stdout.mock.calls.map(([text]) => String(text)).filter((text) => text.includes(id));
    expect(printed).toHaveLength(2);
    for (const text of printed) expect(text).not.toMatch(/\u009b|\u007f/);
  });

  it('maps Nest levels to log levels and keeps printing to the console', async () => {
    const stdout = process.stdout.write as unknown as jest.Mock;
    const logger = new Logger('Probe');
    logger.log('probe log');
    logger.warn('probe warn');
    logger.error('probe error', 'Error: boom\n    at somewhere');
    logger.fatal('probe fatal');
    logger.debug('probe debug');
    logger.verbose('probe verbose');
    const { entries } = await serverLog();
    const levelOf = (message: string) => entries.find((entry) => entry.message === message)?.level;
    expect(levelOf('probe log')).toBe('info');
    expect(levelOf('probe warn')).toBe('warn');
    expect(levelOf('probe error')).toBe('error');
    expect(levelOf('probe fatal')).toBe('error');
    expect(levelOf('probe debug')).toBe('debug');
    expect(levelOf('probe verbose')).toBe('debug');
    expect(entries.find((entry) => entry.message === 'probe error')?.data).toEqual({
      context: 'Probe',
      stack: 'Error: boom\n    at somewhere',
    });
    expect(stdout.mock.calls.some(([text]) => String(text).includes('probe log'))).toBe(true);
  });

  it('logs a lazy message as what it returns, computed once, and a class by its name, as the console does', async () => {
    const stdout = process.stdout.write as unknown as jest.Mock;
    const logger = new Logger('Probe');
    let calls = 0;
    logger.log(() => `probe lazy ${++calls}`);
    class ProbeClass {}
    logger.log(ProbeClass);
    const { entries } = await serverLog();
    expect(calls).toBe(1);
    expect(entries.some((entry) => entry.message === 'probe lazy 1')).toBe(true);
    expect(entries.some((entry) => entry.message === 'ProbeClass')).toBe(true);
    expect(entries.some((entry) => /=>|\[class/.test(entry.message))).toBe(false);
    expect(stdout.mock.calls.some(([text]) => String(text).includes('probe lazy 1'))).toBe(true);
  });

  it('logs session lifecycle events naming the session id', async () => {
    const id = 'abcdefabcdefabcdefabcdef';
    await fetch(`${base}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"probe"}' });
    await fetch(`${base}/sessions/${id}`, { method: 'DELETE' });
    const messages = (await serverLog()).entries.map((entry) => entry.message);
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`session ${id} created`)));
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`session ${id} ended`)));
  });
});
