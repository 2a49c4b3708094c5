import type { HealthCheck } from '@zen/contract';
import { ApiError } from '../errors';
import { Http } from './http';

/** What `GET /health/ready` answered: ready, with its checks, or not ready (`503`), with why. */
export type Readiness = { ready: true; check: HealthCheck } | { ready: false; message: string };

/** The probes of load balancers and orchestrators, open without a token: liveness and readiness. */
export class HealthApi {
  constructor(private readonly http: Http) {}

  /** `GET /health`: the process answers. Any other answer than `200` is an `ApiError`, as elsewhere. */
  live(): Promise<HealthCheck> {
    return this.http.json({ method: 'GET', path: '/health' });
  }

  /**
   * `GET /health/ready`. Not ready is an answer, not a failure: a `503` (starting, the store out
   * of reach, the server session ended, shutting down) resolves with `ready: false` and the
   * server's message (`not ready: store: …`), or the text of whatever answered it (a load balancer
   * without a ready replica). Other statuses reject with `ApiError`, no answer with `NetworkError`.
   */
  async ready(): Promise<Readiness> {
    try {
      return { ready: true, check: await this.http.json<HealthCheck>({ method: 'GET', path: '/health/ready' }) };
    } catch (error) {
      if (error instanceof ApiError && error.status === 503) return { ready: false, message: error.message };
      throw error;
    }
  }
}
