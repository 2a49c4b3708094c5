import { warn } from './reporting';

/**
 * What a reader of our stdout closing it means: `zen-sessions tail … | head -1` has all it
 * wanted. As `kubectl logs | head` does, the command then ends quietly with exit 0 (following
 * stops); without this, the write's EPIPE is an unhandled 'error' event and a stack trace.
 * Any other failure to write is one line on stderr and exit 1.
 */
export function endWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    warn(`cannot write to stdout: ${error.message}`);
    process.exit(1);
  });
}
