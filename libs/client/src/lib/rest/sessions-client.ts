import { HealthApi } from './health-api';
import { Http, HttpOptions } from './http';
import { LogsApi } from './logs-api';
import { SessionsApi } from './sessions-api';
import { shownUrl } from '../shown-url';

export type ClientOptions = HttpOptions;

/** A typed client for every endpoint of the contract: `sessions`, `logs` and the `health` probes. */
export class SessionsClient {
  readonly http: Http;
  readonly sessions: SessionsApi;
  readonly logs: LogsApi;
  readonly health: HealthApi;

  constructor(options: ClientOptions) {
    this.http = new Http(options);
    this.sessions = new SessionsApi(this.http);
    this.logs = new LogsApi(this.http);
    this.health = new HealthApi(this.http);
  }

  get server(): string {
    return this.http.server;
  }

  /** Where the dashboard shows a session, for people to open: a password in the server URL shown as `***`. */
  dashboardUrl(id: string): string {
    return `${shownUrl(this.http.server)}/dashboard/sessions/${id}`;
  }
}
