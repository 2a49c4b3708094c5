import { Clipboard } from '@angular/cdk/clipboard';
import { inject, Injectable } from '@angular/core';
import { Notices } from './notices';

/** Copies to the clipboard (CDK `Clipboard`) and says in a snack bar what was copied, or that it failed. */
@Injectable({ providedIn: 'root' })
export class CopyText {
  private readonly clipboard = inject(Clipboard);
  private readonly notices = inject(Notices);

  /** `what` names the thing for the confirmation: "Copied id", "Copied 3 lines as NDJSON". */
  copy(text: string, what: string): boolean {
    const copied = this.clipboard.copy(text);
    if (copied) this.notices.info(`Copied ${what}`);
    else this.notices.problem(`Could not copy ${what}: the browser refused the clipboard`);
    return copied;
  }
}
