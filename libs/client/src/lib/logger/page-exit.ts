import type { PreparedRequest } from '../rest/http';

/**
 * What a browser lets the `keepalive` requests of one page carry at once (the Fetch standard's
 * 64 KiB of bodies in flight): beyond it such a request is refused at once.
 */
export const KEEPALIVE_BYTES = 65_536;

/**
 * The largest body the logger's own requests send as `keepalive` while the page lives, so that one
 * out as the page goes still arrives: half the room, leaving the other half to what `pagehide`
 * sends then. A larger batch goes out as an ordinary request (the page is taking many entries:
 * the next batch would not fit anyway).
 */
export const KEEPALIVE_REQUEST_BYTES = KEEPALIVE_BYTES / 2;

/** What a logger does as its page goes away (see `PageHook`). */
export interface PageWork {
  /** The page was hidden (another tab, minimised, about to go): send what is queued now, not after the flush interval. */
  hidden(): void;
  /** What is left, as requests whose bodies total at most `maxBytes`, taken out of the queue (none while the server is away). */
  lastRequests(maxBytes: number): PreparedRequest[];
  /** The logger's `fetch`. */
  fetch: typeof fetch;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

interface PageLike extends EventTargetLike {
  document: EventTargetLike & { visibilityState?: string };
}

/**
 * A browser page (a window with a document), where a pending batch would be lost with the page: no
 * `beforeExit` there. In a worker, Node, Deno or Bun: null.
 */
export function browserPage(): PageLike | null {
  const page = globalThis as unknown as Partial<PageLike>;
  const document = page.document as Partial<PageLike['document']> | undefined;
  return typeof page.addEventListener === 'function' &&
    typeof document === 'object' &&
    document !== null &&
    typeof document.addEventListener === 'function'
    ? (page as PageLike)
    : null;
}

/**
 * A browser's counterpart of `ExitHook`. `visibilitychange` to hidden (the last event a mobile
 * browser is sure to give a page it may discard) sends what is queued at once. `pagehide` (the page
 * is left: navigation, a closed tab, a reload; or put in the back/forward cache) hands what is left
 * to the browser as `keepalive` requests, which outlive the page: at most what `KEEPALIVE_BYTES`
 * leaves beside a request of the logger's out already (see `keepaliveFetch`), in order; the rest, if any, is lost with the page (or sent as usual should the page come back
 * from the cache).
 */
export class PageHook {
  private readonly onPageHide = () => this.pageHide();
  private readonly onVisibilityChange = () => {
    if (this.page.document.visibilityState === 'hidden') this.work.hidden();
  };

  private constructor(
    private readonly page: PageLike,
    private readonly work: PageWork,
  ) {
    page.addEventListener('pagehide', this.onPageHide);
    page.document.addEventListener('visibilitychange', this.onVisibilityChange);
  }

  /** The hook, in a browser page; null elsewhere. */
  static attach(work: PageWork): PageHook | null {
    const page = browserPage();
    return page ? new PageHook(page, work) : null;
  }

  remove(): void {
    this.page.removeEventListener('pagehide', this.onPageHide);
    this.page.document.removeEventListener('visibilitychange', this.onVisibilityChange);
  }

  private pageHide(): void {
    // Never throws: the page's other listeners must still run.
    try {
      // Beside them may be one of the logger's own keepalive requests, out already (see keepaliveFetch).
      const room = KEEPALIVE_BYTES - KEEPALIVE_REQUEST_BYTES;
      for (const { method, url, headers, body } of this.work.lastRequests(room)) {
        this.work.fetch(url, { method, headers, body, keepalive: true }).catch(() => undefined);
      }
    } catch {
      // Nothing more can be done for these entries as the page goes.
    }
  }
}

/**
 * The logger's `fetch` in a browser page: a request whose body is at most `KEEPALIVE_REQUEST_BYTES`
 * goes as `keepalive`, so that the page going away (a link followed, the tab closed) does not cancel
 * a batch, the session's opening or its end on their way.
 */
export function keepaliveFetch(send: typeof fetch): typeof fetch {
  return (input, init) => {
    const size = bodyBytes(init?.body);
    return send(input, size <= KEEPALIVE_REQUEST_BYTES ? { ...init, keepalive: true } : init);
  };
}

/**
 * The most bytes a request body may take (a string's: 3 per UTF-16 unit); Infinity for a body of
 * another kind (a stream, a Blob: not the logger's).
 */
export function bodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return body.length * 3;
  return body instanceof Uint8Array ? body.byteLength : Infinity;
}
