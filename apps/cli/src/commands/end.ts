import { GlobalOptions, restClient } from '../connection';
import { endWhenStdoutCloses } from '../stdout';

/** `zen-sessions end <id>`: ends the session, prints its id. */
export async function endCommand([id]: [string], options: GlobalOptions): Promise<number> {
  endWhenStdoutCloses();
  const ended = await restClient(options).sessions.end(id);
  process.stdout.write(`${ended.id}\n`);
  return 0;
}
