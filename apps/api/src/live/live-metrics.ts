import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { LiveGateway } from './live.gateway';
import { LogFollowers } from './log-followers';
import { SessionsFeed } from './sessions-feed';
import { WsQueue } from './ws-queue';

/**
 * The WebSocket's gauges, read when scraped. The live room registers them with the metrics
 * room's registry, so metrics knows nothing of live (live already reaches http for its
 * refusals, and http reaches metrics: the other way round would close a loop of rooms).
 */
@Injectable()
export class LiveMetrics {
  constructor(
    metrics: MetricsService,
    gateway: LiveGateway,
    followers: LogFollowers,
    feed: SessionsFeed,
    queue: WsQueue,
  ) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'zen_ws_clients',
      help: 'Connected WebSocket clients',
      registers,
      collect() {
        this.set(gateway.clientCount());
      },
    });
    new Gauge({
      name: 'zen_ws_subscriptions',
      help: 'Active subscribe-log subscriptions',
      registers,
      collect() {
        this.set(followers.subscriptionCount());
      },
    });
    // The feed's own count, where zen_ws_clients is the WebSocket server's: every connection is in
    // one mode, so the two sums agree unless the feed kept a connection that went away.
    new Gauge({
      name: 'zen_ws_sessions_feed_clients',
      help: 'WebSocket clients the sessions listing goes to, by mode (full: sessions events; delta: sessions-delta events)',
      labelNames: ['mode'],
      registers,
      collect() {
        const counts = feed.clientCounts();
        this.set({ mode: 'full' }, counts.full);
        this.set({ mode: 'delta' }, counts.delta);
      },
    });
    new Gauge({
      name: 'zen_ws_queued_bytes',
      help: 'Bytes of log, sessions and sessions-delta events queued to WebSocket clients and not yet written out (WS_MAX_TOTAL_BUFFERED_BYTES)',
      registers,
      collect() {
        this.set(queue.bytes());
      },
    });
  }
}
