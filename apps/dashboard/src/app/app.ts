import { ChangeDetectionStrategy, Component, inject, OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterOutlet } from '@angular/router';
import { AuthToken } from './core/auth-token';
import { LiveConnection } from './core/live-connection';
import { ServerApi } from './core/server-api';
import { ServerErrors } from './core/server-errors';
import { SessionsFeed } from './core/sessions-feed';

/** Shell: title, connection indicator, the token form when the server asks for one. */
@Component({
  selector: 'zen-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatToolbarModule],
  templateUrl: './app.html',
  styleUrl: './app.scss',
})
export class App implements OnInit {
  private readonly api = inject(ServerApi);
  readonly socket = inject(LiveConnection);
  readonly auth = inject(AuthToken);
  tokenInput = '';

  constructor() {
    // The feeds and the error notices listen from the first connect on.
    inject(SessionsFeed);
    inject(ServerErrors);
  }

  ngOnInit(): void {
    this.start();
  }

  /** One REST call first: it tells whether a token is needed before the WebSocket is tried. */
  start(): void {
    this.api
      .call((client) => client.sessions.list())
      .then(
        () => this.socket.connect(),
        () => {
          if (!this.auth.needed()) this.socket.connect();
        },
      );
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
