/** `fetch` (the given one, else the global one) whose requests `stopped` aborts too. */
export function abortedBy(stopped: AbortSignal, fetchImpl?: typeof fetch): typeof fetch {
  const send: typeof fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  return (input, init) => {
    // Either signal aborts the request (AbortSignal.any is not in every runtime the core supports).
    // A controller per request even without one of its own: `stopped` handed to every fetch would
    // gather one listener per request until each is collected (Node warns past 10).
    const own = init?.signal;
    const either = new AbortController();
    const abort = (signal: AbortSignal) => () => either.abort(signal.reason);
    const onOwn = own ? abort(own) : () => undefined;
    const onStopped = abort(stopped);
    if (own?.aborted) onOwn();
    else if (stopped.aborted) onStopped();
    own?.addEventListener('abort', onOwn, { once: true });
    stopped.addEventListener('abort', onStopped, { once: true });
    const settled = () => {
      own?.removeEventListener('abort', onOwn);
      stopped.removeEventListener('abort', onStopped);
    };
    return send(input, { ...init, signal: either.signal }).finally(settled);
  };
}
