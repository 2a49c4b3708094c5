import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';
import { AuthToken } from './auth-token';

/**
 * Where the API is, derived from where the dashboard was loaded: the page lives at
 * `<root>dashboard/`, so `<root>` is one level up from the document's base URI.
 * That makes one build work at any BASE_PATH and behind any proxy.
 */
@Injectable({ providedIn: 'root' })
export class ServerUrls {
  private readonly document = inject(DOCUMENT);
  private readonly token = inject(AuthToken);

  /** The server root, e.g. `http://host:8558/` or `https://tools.example/zen/`. */
  root(): URL {
    return new URL('../', this.document.baseURI);
  }

  /** A link the browser follows by itself (downloads), carrying the token when there is one. */
  link(path: string): string {
    const url = new URL(path, this.root());
    const token = this.token.value();
    if (token) url.searchParams.set('access_token', token);
    return url.toString();
  }
}
