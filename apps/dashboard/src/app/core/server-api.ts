import { inject, Injectable } from '@angular/core';
import { ApiError, SessionsClient } from '@zen/client';
import { AuthToken } from './auth-token';
import { ServerUrls } from './server-urls';

/** The REST side, through `@zen/client`'s typed client with the tab's token; a 401 asks the user for one. */
@Injectable({ providedIn: 'root' })
export class ServerApi {
  private readonly urls = inject(ServerUrls);
  private readonly auth = inject(AuthToken);

  /** `timeoutMs`: how long to wait for an answer, when not the client's default. */
  async call<T>(request: (client: SessionsClient) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const client = new SessionsClient({
      server: this.urls.root().toString(),
      token: this.auth.value() ?? undefined,
      timeoutMs: options.timeoutMs,
    });
    try {
      return await request(client);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.auth.rejected();
      throw error;
    }
  }
}
