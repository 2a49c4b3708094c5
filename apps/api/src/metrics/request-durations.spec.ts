import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-durations';

describe('RequestDurations', () => {
  it("exposes the same text as prom-client's Histogram given the same requests", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const durations = new RequestDurations(ours);
    const histogram = new Histogram({
      name: 'zen_http_request_duration_seconds',
      help: durations.help,
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [theirs],
    });
    const requests: [string, string, number, number][] = [
      ['POST', '/sessions/:id/log', 200, 0.0004],
      ['POST', '/sessions/:id/log', 200, 0.0005], // on a bound: counted in that bucket
      ['POST', '/sessions/:id/log', 200, 0.003],
      ['GET', '/sessions/:id', 404, 0.02],
      ['GET', 'unmatched', 404, 7], // past the last bound: +Inf only
      ['POST', '/sessions/:id/log', 413, 0],
    ];
    for (const [method, route, status, seconds] of requests) {
      durations.observe(method, route, status, seconds);
      histogram.observe({ method, route, status: String(status) }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(
      'zen_http_request_duration_seconds_count{method="POST",route="/sessions/:id/log",status="200"} 3',
    );
  });
});
