import { RouteTable } from './route-table';

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add({ method: 'GET', path: '/zen/health', access: 'public' });
  table.add({ method: 'POST', path: '/zen/sessions/:id/log', access: 'write' });
  table.add({ method: 'GET', path: '/zen/sessions/:id/log', access: 'read' });
  table.add({ method: 'ALL', path: '/zen/sessions/ws', access: 'read', webSocket: true });

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
