import { warn } from '../reporting';
import { QUIET_MS, QuietFailures } from './tail-quiet-failures';

/**
 * One line when live updates cannot connect before they ever did (a proxy that does not pass
 * WebSocket upgrades on would otherwise leave `tail -f` silent for good). A connection lost once it
 * was open is ridden out silently for QUIET_MS, the time a request waits for an answer; lost
 * longer (a server down or that takes connections and never answers), one line says so, with the
 * latest failure's detail, once per loss (`QuietFailures`, `latest`). Retries say nothing more; it
 * resumes from its cursor once it connects.
 */
export function connectionReporter(url: string): {
  onConnection: (state: 'open' | 'lost', detail?: string) => void;
  end: () => void;
} {
  let heard = false;
  let opened = false;
  const lost = new QuietFailures('latest');
  const onConnection = (state: 'open' | 'lost', detail?: string) => {
    if (state === 'open') {
      opened = true;
      lost.succeeded();
    } else if (!heard) {
      warn(`live updates cannot connect to ${url} (${detail}); still trying`);
    } else if (opened) {
      lost.waiting();
      lost.failed(`live updates lost: cannot reconnect to ${url} for ${QUIET_MS / 1000} s (${detail}); still trying`);
    }
    heard = true;
  };
  return { onConnection, end: () => lost.end() };
}
