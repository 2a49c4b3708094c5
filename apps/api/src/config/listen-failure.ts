import { AppConfig } from './app-config';

/** The one line a failed listen prints: what went wrong and which setting to change, no stack. */
export function listenFailure({ host, port }: AppConfig, { code, message }: NodeJS.ErrnoException): string {
  const line = `Cannot listen on ${host}:${port} (HOST, PORT): ${code ?? message}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${line}, another process listens on port ${port}; set PORT to a free port`;
    case 'EACCES':
      return `${line}, port ${port} needs a privilege this process lacks; set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `${line}, ${host} is not an address of this machine; set HOST to one of its addresses`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${line}, the host name ${host} does not resolve; set HOST to an address or a name that resolves`;
    default:
      return `${line}; set HOST and PORT to an address this process can listen on`;
  }
}
