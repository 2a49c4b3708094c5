import { AppConfig } from './app-config';
import { listenFailure } from './listen-failure';

/** The e2e tests provoke EADDRINUSE and EADDRNOTAVAIL; the causes a test machine cannot provoke reliably are here. */
describe('listenFailure', () => {
  const config = { host: 'build-01.example', port: 80 } as AppConfig;
  const failure = (code?: string, message = 'listen failed') =>
    listenFailure(config, Object.assign(new Error(message), { code }));

  it('names a privileged port and the setting to change (EACCES)', () => {
    expect(failure('EACCES')).toBe(
      'Cannot listen on build-01.example:80 (HOST, PORT): EACCES, port 80 needs a privilege this process lacks; set PORT to 1024 or above',
    );
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('names a host name that does not resolve and HOST (%s)', (code) => {
    expect(failure(code)).toBe(
      `Cannot listen on build-01.example:80 (HOST, PORT): ${code}, the host name build-01.example does not resolve; set HOST to an address or a name that resolves`,
    );
  });

  it('names both settings for any other cause, by its message when it has no code', () => {
    expect(failure(undefined, 'something odd')).toBe(
      'Cannot listen on build-01.example:80 (HOST, PORT): something odd; set HOST and PORT to an address this process can listen on',
    );
  });
});
