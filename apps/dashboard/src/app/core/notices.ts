import { inject, Injectable } from '@angular/core';
import { MatSnackBar, MatSnackBarRef, TextOnlySnackBar } from '@angular/material/snack-bar';

const SHORT_MS = 2500;
const LONG_MS = 8000;

/** Short messages to the user in a snack bar (announced politely to screen readers). */
@Injectable({ providedIn: 'root' })
export class Notices {
  private readonly snackBar = inject(MatSnackBar);

  info(message: string): void {
    this.snackBar.open(message, undefined, { duration: SHORT_MS, politeness: 'polite' });
  }

  /** Shown for a while, or until dismissed (by the user, or through the answer when it no longer holds). */
  problem(message: string): MatSnackBarRef<TextOnlySnackBar> {
    return this.snackBar.open(message, 'Dismiss', {
      duration: LONG_MS,
      politeness: 'assertive',
      panelClass: 'problem',
    });
  }
}
