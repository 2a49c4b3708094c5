import { Injectable, signal } from '@angular/core';

const STORAGE_KEY = 'zen-sessions.token';

/**
 * The bearer token, when the server asks for one (AUTH_READ_TOKEN). Asked for once
 * and kept for the browser tab (sessionStorage), never in the URL bar.
 */
@Injectable({ providedIn: 'root' })
export class AuthToken {
  private readonly stored = signal<string | null>(readStored());
  /** True once the server answered 401: the app shows the token form. */
  readonly needed = signal(false);
  /** True when the server answered 401 to a token: the form says so, or it would look ignored. */
  readonly refused = signal(false);
  readonly value = this.stored.asReadonly();

  set(token: string): void {
    sessionStorage.setItem(STORAGE_KEY, token);
    this.stored.set(token);
    this.needed.set(false);
    this.refused.set(false);
  }

  rejected(): void {
    this.refused.set(this.stored() !== null);
    sessionStorage.removeItem(STORAGE_KEY);
    this.stored.set(null);
    this.needed.set(true);
  }
}

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
