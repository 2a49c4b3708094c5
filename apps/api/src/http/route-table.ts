import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Key, pathToRegexp } from 'path-to-regexp';
import { Access, accessOf } from '../auth/access-tokens';
import { PUBLIC_KEY } from '../auth/public.decorator';
import { PAGES_KEY } from './pages.decorator';
import { RAW_ROUTE_KEY, RawHandler, RouteParams } from './raw-route.decorator';

/** Who may call a route: anyone, or the holders of the read or write token (when set). */
export type RouteAccess = 'public' | Access;

export interface Route {
  /** Upper case; `ALL` for every method. */
  method: string;
  /** Express's pattern, under BASE_PATH: `/zen/sessions/:id/log`. Also the metrics label. */
  path: string;
  access: RouteAccess;
  /** Set for raw routes: the pipeline calls it itself. */
  raw?: RawHandler;
  /**
   * Set for a WebSocket's path: upgrade requests to this path (HttpPipeline.handleUpgrade), spelt
   * as any HTTP route matches, go to the WebSocket server there, with the same access; plain
   * requests are routed as usual.
   */
  webSocket?: boolean;
  /** Serves pages a browser renders (the dashboard, the API docs): Helmet's document headers, not the API's. */
  pages?: boolean;
}

const RECENT_MAX = 4096;
/**
 * Longest path remembered in `recent`: the routes' own paths are far shorter (an id's is
 * ~40 characters), while a client may send paths of up to Node's 16 KiB header limit, and
 * 4096 of those made the cache 64 MB (measured: +46 MiB of RSS for 8192 such 404s).
 */
const RECENT_PATH_MAX = 512;

/** The methods some route serves, in the order of an `Allow` header (then `OPTIONS`). */
export const SERVED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
const ALLOW_ORDER = [...SERVED_METHODS, 'OPTIONS'];

interface Entry {
  route: Route;
  regexp: RegExp;
  keys: Key[];
}

export interface RouteMatch {
  route: Route;
  params: RouteParams;
}

/**
 * Every route the server answers, in the order Express tries them, matched the way
 * Express matches them (path-to-regexp 8, case-insensitive, optional trailing slash), so
 * that the pipeline knows a request's route, and with it its access and its metrics
 * label, before anything else runs.
 */
export class RouteTable {
  private readonly entries: Entry[] = [];
  /** The entries that can serve each method, in order. */
  private readonly byMethod = new Map<string, Entry[]>();
  /**
   * The last answers, by method and path: matching runs on every request, and the hot
   * paths repeat (a few regexps cost ~1 µs, a lookup here ~0.1; measured on the log
   * routes, docs/performance.md). Bounded: cleared when full.
   */
  private readonly recent = new Map<string, RouteMatch | null>();

  add(route: Route): void {
    const { regexp, keys } = pathToRegexp(route.path, { sensitive: false, end: true, trailing: true });
    this.entries.push({ route, regexp, keys });
    this.byMethod.clear();
    this.recent.clear();
  }

  /** Characters of the paths remembered in the cache of recent answers. */
  rememberedChars(): number {
    let chars = 0;
    for (const key of this.recent.keys()) chars += key.length;
    return chars;
  }

  list(): Route[] {
    return this.entries.map((entry) => entry.route);
  }

  /** The WebSocket routes, in the order they were added. */
  webSockets(): Route[] {
    return this.entries.filter((entry) => entry.route.webSocket).map((entry) => entry.route);
  }

  /**
   * The WebSocket route at `path` (a URL's pathname), matched as HTTP routes are: with a
   * trailing slash and in any case (`/sessions/WS/`), as a plain request there is routed (426).
   */
  webSocketAt(path: string): Route | undefined {
    return this.entries.find((entry) => entry.route.webSocket && entry.regexp.test(path))?.route;
  }

  /**
   * The route serving `method` and `url` (a request target: query ignored, absolute form
   * as its path), in the order the routes were added.
   */
  match(method: string, url: string): RouteMatch | undefined {
    const path = targetPath(url);
    const key = `${method} ${path}`;
    const known = this.recent.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.find(method, path) ?? null;
    if (path.length > RECENT_PATH_MAX) return found ?? undefined;
    if (this.recent.size >= RECENT_MAX) this.recent.clear();
    this.recent.set(key, found);
    return found ?? undefined;
  }

  /**
   * The methods the routes serve at `url`'s path (targetPath), for an `Allow` header:
   * HEAD with GET, and OPTIONS, in a fixed order; empty when no route serves the path.
   */
  methodsAt(url: string): string[] {
    return allowed(this.routesAt(url).map((route) => route.method));
  }

  /**
   * `public` when every route at `url`'s path is (health probes, the dashboard, the API docs):
   * another method there is answered (405, or OPTIONS' 204) without a token, as its own method
   * is, since it tells nothing the open routes do not. Undefined otherwise, or when none serves it.
   */
  publicAt(url: string): 'public' | undefined {
    const here = this.routesAt(url);
    return here.length > 0 && here.every((route) => route.access === 'public') ? 'public' : undefined;
  }

  /** The methods some route serves, at any path, for the `Allow` of a method no path serves (CONNECT). */
  methods(): string[] {
    return allowed(this.entries.map((entry) => entry.route.method));
  }

  /** Every route at `url`'s path (targetPath), whatever its method. */
  private routesAt(url: string): Route[] {
    const path = targetPath(url);
    return this.entries.filter((entry) => entry.regexp.test(path)).map((entry) => entry.route);
  }

  private find(method: string, path: string): RouteMatch | undefined {
    for (const entry of this.serving(method)) {
      const found = entry.regexp.exec(path);
      if (found) return { route: entry.route, params: Object.freeze(paramsOf(entry.keys, found)) };
    }
    return undefined;
  }

  private serving(method: string): Entry[] {
    let list = this.byMethod.get(method);
    if (!list) {
      // Express's GET routes answer HEAD too.
      const serves = (routeMethod: string) =>
        routeMethod === method || routeMethod === 'ALL' || (method === 'HEAD' && routeMethod === 'GET');
      list = this.entries.filter((entry) => serves(entry.route.method));
      this.byMethod.set(method, list);
    }
    return list;
  }
}

/**
 * The routes' `methods` as an `Allow` header names them: HEAD with GET, and OPTIONS, in a
 * fixed order; none for `ALL` (a WebSocket's path: every method is routed there); empty when
 * no route serves any.
 */
function allowed(methods: string[]): string[] {
  const served = new Set<string>();
  for (const method of methods) {
    if (method === 'ALL') continue;
    served.add(method);
    if (method === 'GET') served.add('HEAD');
  }
  if (served.size === 0) return [];
  served.add('OPTIONS');
  const ordered = ALLOW_ORDER.filter((method) => served.has(method));
  return ordered.concat([...served].filter((method) => !ALLOW_ORDER.includes(method)).sort());
}

/**
 * The routes of every Nest controller, with their access (`@Public()`, else read for
 * GET/HEAD/OPTIONS and write for the rest) and, for `@RawRoute()` methods, the handler.
 */
export function nestRoutes(discovery: DiscoveryService, scanner: MetadataScanner, basePath: string): Route[] {
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) continue;
    const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, wrapper.metatype));
    const controllerPublic = Reflect.getMetadata(PUBLIC_KEY, wrapper.metatype) === true;
    const controllerPages = Reflect.getMetadata(PAGES_KEY, wrapper.metatype) === true;
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name] as (...args: unknown[]) => unknown;
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler);
      if (methodPaths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const isPublic = controllerPublic || Reflect.getMetadata(PUBLIC_KEY, handler) === true;
      const pages = controllerPages || Reflect.getMetadata(PAGES_KEY, handler) === true;
      const raw =
        Reflect.getMetadata(RAW_ROUTE_KEY, handler) === true ? (handler.bind(instance) as RawHandler) : undefined;
      for (const controllerPath of controllerPaths) {
        for (const methodPath of pathsOf(methodPaths)) {
          const path = joinPath(basePath, controllerPath, methodPath);
          routes.push({ method, path, access: isPublic ? 'public' : accessOf(method), raw, pages });
        }
      }
    }
  }
  return routes;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  return [typeof value === 'string' ? value : '/'];
}

function joinPath(...parts: string[]): string {
  const joined = `/${parts.join('/')}`.replace(/\/+/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

// Express answers 400 for an undecodable parameter; here it is left as sent, and the
// route's own validation (an id, say) rejects it with a message naming it.
function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function paramsOf(keys: Key[], found: RegExpExecArray): RouteParams {
  const params: RouteParams = {};
  for (let i = 0; i < keys.length; i++) {
    if (found[i + 1] !== undefined) params[keys[i].name] = decodeLeniently(found[i + 1]);
  }
  return params;
}

/** A request URL's path: up to its query, if any. */
function withoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** `scheme://authority` at the start of an absolute-form request target. */
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\]*/;
const SLASH = 0x2f;

/**
 * A request target's path, as Express's router reads it (parseurl), so that the route table
 * matches what Express serves: the origin form (`/path?query`) up to its query; the absolute
 * form (RFC 9112 §3.2.2: `http://host[:port]/path?query`, which a server must accept) the
 * same without its scheme and authority, `/` when it has no path. A target in absolute form
 * or with a fragment (`#`) is read as Node's url.parse reads it there: up to the fragment,
 * backslashes as slashes. Anything else (`*`) is left as it is.
 */
export function targetPath(url: string): string {
  const origin = url.charCodeAt(0) === SLASH;
  const prefix = origin ? null : SCHEME_AND_AUTHORITY.exec(url);
  if (!origin && !prefix) return url;
  const rest = prefix ? url.slice(prefix[0].length) : url;
  const fragment = rest.indexOf('#');
  const path = withoutQuery(fragment === -1 ? rest : rest.slice(0, fragment));
  if (origin && fragment === -1) return path;
  const read = path.replace(/\\/g, '/');
  return read === '' ? '/' : read;
}
