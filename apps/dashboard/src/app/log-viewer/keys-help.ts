import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule } from '@angular/material/dialog';

/** The keyboard shortcuts of the log viewer (the `?` key opens this). */
const LOG_KEYS: readonly { keys: string; action: string }[] = [
  { keys: '/', action: 'Focus the message filter' },
  { keys: 'f', action: 'Follow new entries on or off' },
  { keys: 'g / G', action: 'Go to the top / bottom' },
  { keys: 'n / N', action: 'Next / previous error' },
  { keys: 'j / k', action: 'Select the next / previous line' },
  { keys: 'Esc', action: 'Clear the selection, time range and source filter (in the filter: clear it)' },
  { keys: 'Tab', action: 'Reach the volume histogram (after the controls), then:' },
  { keys: '← / →', action: 'Histogram: choose a bar (Home / End: the first / last)' },
  { keys: 'Shift + ← / →', action: 'Histogram: select a time range from the chosen bar' },
  { keys: 'Enter', action: 'Histogram: filter the log to the selected range, or jump to the chosen bar' },
  { keys: 'Esc', action: 'Histogram: drop the selection, then clear the time range' },
  { keys: '?', action: 'Show this list' },
];

@Component({
  selector: 'zen-keys-help',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatDialogModule],
  template: `
    <h2 mat-dialog-title>Keyboard shortcuts</h2>
    <!-- Focusable: on a small screen the list scrolls, and the keyboard must reach it to scroll it. -->
    <mat-dialog-content tabindex="0">
      <table class="keys" aria-label="Keyboard shortcuts">
        @for (key of keys; track key.action) {
          <tr>
            <th scope="row">
              <kbd>{{ key.keys }}</kbd>
            </th>
            <td>{{ key.action }}</td>
          </tr>
        }
      </table>
      <p>Keys do nothing while you type in a field.</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button mat-dialog-close>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .keys th {
      text-align: left;
      padding: 2px 16px 2px 0;
      white-space: nowrap;
    }
    kbd {
      font-family: ui-monospace, monospace;
      border: 1px solid var(--mat-sys-outline);
      border-radius: 4px;
      padding: 0 4px;
    }
  `,
})
export class KeysHelp {
  readonly keys = LOG_KEYS;
}
