import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { SessionRecord } from '../sessions/session-record';
import { EntryBatch } from './store/entry-batch';
import { CursorRead, CursorSlice, LogStore, PageRead, PageSlice } from './store/log-store';

/**
 * Appends to and reads session logs, keeping each session's counters in step and
 * announcing appends to whoever follows them live.
 */
@Injectable()
export class LogsService {
  private readonly appendedSubject = new Subject<string>();
  /** Ids of sessions whose logs just grew. */
  readonly appended$: Observable<string> = this.appendedSubject.asObservable();

  constructor(private readonly store: LogStore) {}

  /** Appends the batch (possibly empty: still a sign of life) and returns the new logCursor. */
  async append(record: SessionRecord, batch: EntryBatch): Promise<number> {
    const counters = await this.store.append(record.id, batch);
    if (!counters) throw new Error(`log of session ${record.id} is missing`);
    record.logChanged(counters, Date.now());
    if (batch.messages.length > 0) this.appendedSubject.next(record.id);
    return counters.logCursor;
  }

  async readCursor(record: SessionRecord, read: CursorRead): Promise<CursorSlice> {
    return (await this.store.readCursor(record.id, read)) ?? { entries: [], cursor: read.cursor, dropped: 0 };
  }

  async readPage(record: SessionRecord, read: PageRead): Promise<PageSlice> {
    return (await this.store.readPage(record.id, read)) ?? { entries: [], total: 0, cursor: 0 };
  }
}
