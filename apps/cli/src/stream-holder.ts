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
}

export function holder(stream: Readable): StreamHolder {
  let holds = 0;
  let resumedAt = -Infinity;
  const hold = ((until: Promise<unknown>) => {
    if (holds++ === 0) stream.pause();
    void until.then(() => {
      if (--holds > 0) return;
      resumedAt = Date.now();
      stream.resume();
    });
  }) as StreamHolder;
  hold.heldWithin = (ms) => holds > 0 || Date.now() - resumedAt < ms;
  return hold;
}
