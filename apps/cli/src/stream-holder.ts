import { Readable } from 'node:stream';

/** Pauses a stream while any promise handed to `hold` is pending. */
export interface StreamHolder {
  (until: Promise<unknown>): void;
  /**
   * Paused now, or resumed less than `ms` ago. Right after a resume the rest of a line may
   * still be in the pipe, unread: a line is only "without a newline for a second" once the
   * stream has flowed for that second.
   */
  heldWithin(ms: number): boolean;
  /** Resumes the stream for good: the holds pending, and any handed over later, no longer pause it. */
  release(): void;
}

export function holder(stream: Readable): StreamHolder {
  let holds = 0;
  let resumedAt = -Infinity;
  let released = false;
  const hold = ((until: Promise<unknown>) => {
    if (released) return;
    if (holds++ === 0) stream.pause();
    void until.then(() => {
      if (released || --holds > 0) return;
      resumedAt = Date.now();
      stream.resume();
    });
  }) as StreamHolder;
  hold.heldWithin = (ms) => holds > 0 || Date.now() - resumedAt < ms;
  hold.release = () => {
    if (released) return;
    released = true;
    if (holds > 0) stream.resume();
    holds = 0;
    resumedAt = Date.now();
  };
  return hold;
}
