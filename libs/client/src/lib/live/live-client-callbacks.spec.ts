import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltServer, bundleForNode, Child, eventually, REPO } from '@zen/testing';
import { SessionsClient } from '../rest/sessions-client';

/**
 * A Node program whose every callback of the live client throws, and which survives uncaught
 * exceptions (as a service with an `uncaughtException` handler does): it prints, one JSON line
 * each, what its callbacks were given and what reached `uncaughtException`.
 */
const PROGRAM = `
import { createNodeLiveClient } from '${join(REPO, 'libs/client/src/node.ts')}';
const [server, ...ids] = process.argv.slice(2);
const print = (line: object) => console.log(JSON.stringify(line));
process.on('uncaughtException', (error) => print({ thrown: error.message }));
const live = createNodeLiveClient({
  server,
  onConnection: (state) => {
    print({ state });
    throw new Error('onConnection threw');
  },
});
live.followSessions((list) => {
  print({ list: list.sessions.length });
  throw new Error('the sessions listener threw');
});
for (const id of ids) {
  live.followLog(id, 0, {
    onEntries: (entries) => {
      print({ id, seqs: entries.map((entry) => entry.seq) });
      throw new Error('onEntries of ' + id + ' threw');
    },
  });
}
`;

describe('live client callbacks that throw', () => {
  let server: BuiltServer;
  let dir: string;

  beforeAll(async () => {
    server = await BuiltServer.start({ SESSIONS_WS_INTERVAL_MS: '100' });
    dir = mkdtempSync(join(tmpdir(), 'zen-live-callbacks-'));
    writeFileSync(join(dir, 'main.ts'), PROGRAM);
    bundleForNode(join(dir, 'main.ts'), join(dir, 'main.js'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('go on: each error is thrown again on its own, and every follow and listener keeps getting what comes', async () => {
    const client = new SessionsClient({ server: server.url });
    const a = (await client.sessions.create({ appname: 'throws-a' })).id;
    const b = (await client.sessions.create({ appname: 'throws-b' })).id;
    const child = new Child(spawn(process.execPath, [join(dir, 'main.js'), server.url, a, b]));
    try {
      const lines = () =>
        child.output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map(
            (line) =>
              JSON.parse(line) as { state?: string; list?: number; id?: string; seqs?: number[]; thrown?: string },
          );
      const seqs = (id: string) => lines().flatMap((line) => (line.id === id ? (line.seqs ?? []) : []));
      await eventually(
        () => lines().some((line) => line.list !== undefined),
        20_000,
        `a sessions list:\n${child.output}`,
      );
      for (let seq = 0; seq < 3; seq++) {
        await client.logs.append(a, { message: `a${seq}` });
        await client.logs.append(b, { message: `b${seq}` });
      }
      await eventually(() => seqs(a).length === 3 && seqs(b).length === 3, 20_000, `every entry:\n${child.output}`);
      // The sessions list goes on coming too (every SESSIONS_WS_INTERVAL_MS).
      await eventually(() => lines().filter((line) => line.list !== undefined).length >= 3, 20_000, child.output);
      expect(seqs(a)).toEqual([0, 1, 2]);
      expect(seqs(b)).toEqual([0, 1, 2]);
      const thrown = lines().flatMap((line) => (line.thrown ? [line.thrown] : []));
      expect(thrown).toEqual(
        expect.arrayContaining([
          'onConnection threw',
          'the sessions listener threw',
          `onEntries of ${a} threw`,
          `onEntries of ${b} threw`,
        ]),
      );
      expect(lines().filter((line) => line.state !== undefined)).toEqual([{ state: 'open' }]);
    } finally {
      await child.stop('SIGKILL');
    }
  });
});
