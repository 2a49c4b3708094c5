import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { LiveGateway } from './live.gateway';
import { LogFollowers } from './log-followers';

/**
 * The WebSocket's gauges, read when scraped. The live room registers them with the metrics
 * room's registry, so metrics knows nothing of live (live already reaches http for its
 * refusals, and http reaches metrics: the other way round would close a loop of rooms).
 */
@Injectable()
export class LiveMetrics {
  constructor(metrics: MetricsService, gateway: LiveGateway, followers: LogFollowers) {
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
  }
}
