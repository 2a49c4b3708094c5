import { LookedUpSession, lookUpSession, SessionLookup, SessionsClient } from '@zen/client';
import { warn } from '../reporting';

/** How long a session check (and the first lookup of a follow) goes unanswered before its failures are told: as for a lost connection. */
export const CHECK_QUIET_MS = 10_000;

/**
 * The session lookup of a follow, and the lines its failures get. The live client tells each
 * different failure of a check at once; told at once, a short outage that the follow rides out
 * (a Redis restarted under the replicas, both replicas behind nginx killed and started again:
 * the check after the reconnect meets a 503 or nginx's 502) would leave one line or more on stderr,
 * where a lost connection is ridden out silently for CHECK_QUIET_MS. So the failures of a check are
 * held until it has gone unanswered that long since it was first asked (then told, and those after
 * them at once), and forgotten once it answers.
 */
export function checkReporter(client: SessionsClient): {
  lookup: SessionLookup;
  failed: (line: string) => void;
  end: () => void;
} {
  /** When the lookup was first asked since it last answered (null: it answered). */
  let since: number | null = null;
  let held: string[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const end = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    held = [];
  };
  const tell = () => {
    timer = null;
    for (const line of held.splice(0)) warn(line);
  };
  const lookup: SessionLookup = async (id, signal): Promise<LookedUpSession | null> => {
    since ??= Date.now();
    const session = await lookUpSession(client, id, signal);
    since = null;
    end();
    return session;
  };
  const failed = (line: string) => {
    const waited = Date.now() - (since ?? Date.now());
    if (waited >= CHECK_QUIET_MS) return warn(line);
    held.push(line);
    timer ??= setTimeout(tell, CHECK_QUIET_MS - waited);
  };
  return { lookup, failed, end };
}
