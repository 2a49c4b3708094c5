import { TestBed } from '@angular/core/testing';
import { Session } from '@zen/contract';
import { session } from '../testing/sessions';
import { SessionDetail } from './session-detail';

describe('SessionDetail', () => {
  async function logLine(shown: Session): Promise<string> {
    await TestBed.configureTestingModule({ imports: [SessionDetail] }).compileComponents();
    const fixture = TestBed.createComponent(SessionDetail);
    fixture.componentRef.setInput('session', shown);
    fixture.detectChanges();
    const terms = [...fixture.nativeElement.querySelectorAll('dt')] as HTMLElement[];
    const log = terms.find((term) => term.textContent?.trim() === 'Log');
    return (log?.nextElementSibling as HTMLElement).textContent?.trim() ?? '';
  }

  it('says one warning and one error in the singular', async () => {
    expect(await logLine(session({ logCount: 6, logCursor: 6, warnCount: 1, errorCount: 1 }))).toBe(
      '6 held · 6 appended · 1 warning · 1 error',
    );
  });

  it('says other counts in the plural', async () => {
    expect(await logLine(session({ logCount: 9, logCursor: 12, warnCount: 0, errorCount: 2 }))).toBe(
      '9 held · 12 appended · 0 warnings · 2 errors',
    );
  });
});
