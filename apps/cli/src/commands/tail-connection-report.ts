import { warn } from '../reporting';

/** How long a lost connection is ridden out silently before one line says it still is lost. */
const LOST_QUIET_MS = 10_000;

/**
 * One line when live updates cannot connect before they ever did (a proxy that does not pass
 * WebSocket upgrades on would otherwise leave `tail -f` silent for good). A connection lost once it
 * was open is ridden out silently for LOST_QUIET_MS, the time a request waits for an answer; lost
 * longer (a server down or that takes connections and never answers), one line says so, once per
 * loss. Retries say nothing more; it resumes from its cursor once it connects.
 */
export function connectionReporter(url: string): {
  onConnection: (state: 'open' | 'lost', detail?: string) => void;
  end: () => void;
} {
  let heard = false;
  let opened = false;
  let lostTimer: ReturnType<typeof setTimeout> | null = null;
  let lastDetail = '';
  const end = () => {
    if (lostTimer) clearTimeout(lostTimer);
    lostTimer = null;
  };
  const onConnection = (state: 'open' | 'lost', detail?: string) => {
    lastDetail = detail ?? lastDetail;
    if (state === 'open') {
      opened = true;
      end();
    } else if (!heard) {
      warn(`live updates cannot connect to ${url} (${detail}); still trying`);
    } else if (opened) {
      const lost = () =>
        `live updates lost: cannot reconnect to ${url} for ${LOST_QUIET_MS / 1000} s (${lastDetail}); still trying`;
      lostTimer ??= setTimeout(() => warn(lost()), LOST_QUIET_MS);
    }
    heard = true;
  };
  return { onConnection, end };
}
