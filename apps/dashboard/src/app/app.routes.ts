import { Route } from '@angular/router';
import { SessionsPage } from './sessions/sessions-page';

export const appRoutes: Route[] = [
  { path: '', component: SessionsPage },
  { path: 'sessions/:id', component: SessionsPage },
  { path: '**', redirectTo: '' },
];
