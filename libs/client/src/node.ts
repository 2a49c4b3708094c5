// @zen/client/node: the core plus what only Node has (the `ws` WebSocket for Node 20, a
// `fetch` over node:http that sends byte bodies without copying them).
import { LiveClient, LiveClientOptions } from './lib/live/live-client';
import { nodeWebSocketFactory } from './lib/live/node-websocket';

export * from './index';
export { nodeWebSocketFactory } from './lib/live/node-websocket';
export { nodeFetch } from './lib/rest/node-fetch';

/**
 * A live client over `ws` (unless `webSocket` says otherwise: `webSocket: undefined`, an option
 * passed on unset, does not, as `{ webSocket: ws, ...options }` had it).
 */
export function createNodeLiveClient(options: LiveClientOptions): LiveClient {
  return new LiveClient({ ...options, webSocket: options.webSocket ?? nodeWebSocketFactory });
}
