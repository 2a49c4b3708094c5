import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterOutlet } from '@angular/router';
import { SessionList } from '@zen/contract';
import { AuthToken } from './core/auth-token';
import { LiveTransport } from './core/live-transport';
import { LogFeed } from './core/log-feed';
import { ServerErrors } from './core/server-errors';
import { SessionsFeed } from './core/sessions-feed';
import { ServerUrls } from './core/server-urls';

/** Shell: title, connection indicator, the token form when the server asks for one. */
@Component({
  selector: 'zen-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatToolbarModule],
  templateUrl: './app.html',
  styleUrl: './app.scss',
})
export class App implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly urls = inject(ServerUrls);
  readonly socket = inject(LiveTransport);
  readonly auth = inject(AuthToken);
  tokenInput = '';

  constructor() {
    // The feeds and the error notices listen from the first connect on.
    inject(SessionsFeed);
    inject(LogFeed);
    inject(ServerErrors);
  }

  ngOnInit(): void {
    this.start();
  }

  /** One REST call first: it tells whether a token is needed before the WebSocket is tried. */
  start(): void {
    this.http.get<SessionList>(this.urls.api('sessions/')).subscribe({
      next: () => this.socket.connect(),
      error: () => {
        if (!this.auth.needed()) this.socket.connect();
      },
    });
  }

  submitToken(): void {
    const token = this.tokenInput.trim();
    if (!token) return;
    this.auth.set(token);
    this.tokenInput = '';
    this.socket.stop();
    this.start();
  }
}
