import { RouteTable, targetPath } from './route-table';

describe('targetPath', () => {
  it.each([
    ['/sessions/', '/sessions/'],
    ['/sessions/abc/log?cursor=0', '/sessions/abc/log'],
    ['/health#x', '/health'],
    ['/health?x#y', '/health'],
    ['/a\\b', '/a\\b'],
    // With a fragment, parseurl hands the target to url.parse, which reads backslashes as slashes.
    ['/a\\b?c#d', '/a/b'],
    ['*', '*'],
  ])('gives the path of the origin-form target %j: %j', (target, path) => {
    expect(targetPath(target)).toBe(path);
  });

  // RFC 9112 §3.2.2: `http://host[:port]/path?query`; the path as Express's router sees it (parseurl).
  it.each([
    ['http://127.0.0.1:8558/sessions/abc/log?cursor=0', '/sessions/abc/log'],
    ['http://127.0.0.1/health', '/health'],
    ['HTTP://HOST/health', '/health'],
    ['https://[::1]:8558/zen/sessions/ws?access_token=t', '/zen/sessions/ws'],
    ['http://user@host/health', '/health'],
    ['http://host', '/'],
    ['http://host?x=1', '/'],
    ['http://host/health#x', '/health'],
    ['http://host/a\\b?c\\d', '/a/b'],
  ])('gives the path of the absolute-form target %j: %j', (target, path) => {
    expect(targetPath(target)).toBe(path);
  });
});

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add({ method: 'GET', path: '/zen/health', access: 'public' });
  table.add({ method: 'POST', path: '/zen/sessions/:id/log', access: 'write' });
  table.add({ method: 'GET', path: '/zen/sessions/:id/log', access: 'read' });
  table.add({ method: 'ALL', path: '/zen/sessions/ws', access: 'read', webSocket: true });

  it('matches an absolute-form target as the origin-form one, params included', () => {
    for (const target of ['/zen/sessions/abc/log?cursor=1', 'http://127.0.0.1:8558/zen/sessions/abc/log?cursor=1']) {
      expect(table.match('GET', target)).toEqual({
        route: expect.objectContaining({ path: '/zen/sessions/:id/log', access: 'read' }),
        params: { id: 'abc' },
      });
    }
    expect(table.match('GET', 'http://host/zen/health')?.route.access).toBe('public');
    expect(table.match('GET', 'http://host/zen/nowhere')).toBeUndefined();
  });

  it('knows the methods at an absolute-form target, for Allow', () => {
    expect(table.methodsAt('http://host/zen/sessions/abc/log?x=1')).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
    expect(table.methodsAt('http://host/zen/nowhere')).toEqual([]);
  });

  it('knows the methods some route serves, at any path, for the Allow of a method no path serves', () => {
    const more = new RouteTable();
    for (const route of table.list()) more.add(route);
    more.add({ method: 'DELETE', path: '/zen/sessions/:id', access: 'write' });
    expect(more.methods()).toEqual(['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']);
    expect(new RouteTable().methods()).toEqual([]);
  });

  it('finds the WebSocket at its path with a trailing slash and in any case, as HTTP routes match', () => {
    for (const path of ['/zen/sessions/ws', '/zen/sessions/ws/', '/ZEN/Sessions/WS', '/zen/sessions/WS/']) {
      expect([path, table.webSocketAt(path)?.path]).toEqual([path, '/zen/sessions/ws']);
    }
    for (const path of [
      '/zen/sessions/wsx',
      '/zen/sessions/ws/x',
      '/sessions/ws',
      '/zen/sessions/ws//',
      '/zen/health',
    ]) {
      expect([path, table.webSocketAt(path)]).toEqual([path, undefined]);
    }
  });
});

describe('RouteTable: its cache of recent answers', () => {
  it('remembers no client path longer than a route could match, so that long 404s cannot fill it', () => {
    const table = new RouteTable();
    table.add({ method: 'GET', path: '/sessions/:id/log', access: 'read' });
    // Paths up to Node's 16 KiB header limit, each once: 4096 of them made the cache 64 MB.
    for (let i = 0; i < 4096; i++) expect(table.match('GET', `/${i}${'p'.repeat(15_000)}`)).toBeUndefined();
    expect(table.rememberedChars()).toBe(0);
    // The routes' own paths are still remembered, and answered alike.
    const path = `/sessions/${'a'.repeat(24)}/log`;
    expect(table.match('GET', path)?.params).toEqual({ id: 'a'.repeat(24) });
    expect(table.match('GET', path)?.params).toEqual({ id: 'a'.repeat(24) });
    expect(table.rememberedChars()).toBe(`GET ${path}`.length);
  });
});
