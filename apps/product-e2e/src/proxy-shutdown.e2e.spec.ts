import { eventually, JSON_HEADERS, pausedDownload } from '@zen/testing';
import { startBehindNginx } from './nginx';

const ID = 'd0a1d0a1d0a1d0a1d0a1d0a1';

/**
 * A server behind deploy/nginx stopped (SIGTERM) while a client is still downloading through the
 * proxy, as a deploy or a restart stops it: the README promises in-flight requests are finished.
 */
describe('behind nginx, a server stopped during a download (deploy/nginx)', () => {
  // Found by the operations audit: Node's server.close() counts a connection idle once its answer
  // is ended, before it is written out, and destroyed it: the download arrived cut short.
  it('finishes the download through the proxy, then exits with 0', async () => {
    const { server, nginx, proxied } = await startBehindNginx({ MAX_BODY_BYTES: String(32 * 1024 * 1024) });
    try {
      // Straight to the server: nginx lets 2 MiB bodies through.
      expect(
        (
          await fetch(`${server.url}/sessions/${ID}`, {
            method: 'POST',
            headers: JSON_HEADERS,
            body: '{"appname":"audit-ops-proxy-download"}',
          })
        ).status,
      ).toBe(201);
      // 20 MB of log: more than the sockets' and nginx's buffers hold, so most of it waits on the reader.
      const appended = await fetch(`${server.url}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `${'x'.repeat(20_000)}\n`.repeat(1000),
      });
      expect(appended.status).toBe(200);

      let exited: Promise<number | null> | undefined;
      const answer = await pausedDownload(
        `${proxied}/sessions/${ID}/log?format=text&limit=1000`,
        async () => {
          exited = server.stop('SIGTERM');
          // The signal has been taken once readiness says so (or the server is gone, its answer cut).
          await eventually(
            async () =>
              (await fetch(`${server.url}/health/ready`).then(
                (res) => res.status,
                () => 0,
              )) !== 200,
            20_000,
            'the server to take the signal',
          );
        },
        { Connection: 'close' },
      );
      expect(answer).toMatchObject({ status: 200, whole: true });
      expect(answer.declaredLength).toBeGreaterThan(20_000_000);
      expect(await exited).toBe(0);
      expect(server.output).toContain('Shutdown complete');
    } finally {
      await nginx.stop();
      await server.stop();
    }
  });
});
