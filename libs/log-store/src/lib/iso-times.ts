/** Times toISOString writes in the plain `YYYY-MM-DDTHH:MM:SS.mmmZ` shape (years 0–9999). */
const MAX_PLAIN_TIME = Date.UTC(10000, 0, 1);
const SECOND = 1000;
const SECONDS_PER_DAY = 86_400;
export const ISO_TIME_LENGTH = 24;

/**
 * Writes times as Date.prototype.toISOString does, as bytes or as a string, without a Date: the
 * bytes up to the second (`YYYY-MM-DDTHH:MM:SS.`) are cached, as a log's neighbouring entries
 * mostly share their second, and the milliseconds are written as digits. One cache for the
 * process (`isoTimes`), for the stores' encoded reads (bytes) and the entries formatted as text or
 * JSON (strings): reads come and go, and the last second read is the likeliest next.
 */
export class IsoTimes {
  /** The day whose `YYYY-MM-DDT` is cached in `dayPrefix`. */
  private day = NaN;
  private readonly dayPrefix = Buffer.alloc(11);
  /** The second (since the epoch) whose `YYYY-MM-DDTHH:MM:SS.` is cached in `secondPrefix`. */
  private second = NaN;
  private readonly secondPrefix = Buffer.alloc(20);
  /** `secondPrefix` as a string, made when text() first needs it for this second. */
  private secondText: string | null = null;

  /** Whether write() can write `ms` (else: toISOString's other shapes, or its RangeError). */
  writes(ms: number): boolean {
    return ms >= 0 && ms < MAX_PLAIN_TIME;
  }

  /** Writes `ms` (see writes()) at `at` in `out`, which has room for ISO_TIME_LENGTH bytes; answers where it ends. */
  write(out: Buffer, at: number, ms: number): number {
    const second = Math.floor(ms / SECOND);
    if (second !== this.second) this.setSecond(second);
    const prefix = this.secondPrefix;
    for (let i = 0; i < 20; i++) out[at++] = prefix[i];
    const millis = Math.floor(ms) - second * SECOND;
    out[at++] = 0x30 + Math.floor(millis / 100);
    at = two(out, at, millis % 100);
    out[at++] = 0x5a;
    return at;
  }

  /** `new Date(ms).toISOString()`: from the cache for the times write() writes, else from a Date (throwing as it does). */
  text(ms: number): string {
    if (!this.writes(ms)) return new Date(ms).toISOString();
    const second = Math.floor(ms / SECOND);
    if (second !== this.second) this.setSecond(second);
    this.secondText ??= this.secondPrefix.toString('latin1');
    const millis = Math.floor(ms) - second * SECOND;
    return this.secondText + (millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : millis) + 'Z';
  }

  private setSecond(second: number): void {
    const day = Math.floor(second / SECONDS_PER_DAY);
    if (day !== this.day) this.setDay(day);
    const prefix = this.secondPrefix;
    this.dayPrefix.copy(prefix, 0);
    let rest = second - day * SECONDS_PER_DAY;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    two(prefix, 11, hours);
    prefix[13] = 0x3a;
    two(prefix, 14, minutes);
    prefix[16] = 0x3a;
    two(prefix, 17, seconds);
    prefix[19] = 0x2e;
    this.second = second;
    this.secondText = null;
  }

  private setDay(day: number): void {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
    const z = day + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const date = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    this.dayPrefix.write(`${String(year).padStart(4, '0')}-${pad(month)}-${pad(date)}T`, 0, 'latin1');
    this.day = day;
  }
}

export const isoTimes = new IsoTimes();

function two(out: Buffer, at: number, value: number): number {
  out[at] = 0x30 + Math.floor(value / 10);
  out[at + 1] = 0x30 + (value % 10);
  return at + 2;
}

const pad = (value: number) => (value < 10 ? `0${value}` : String(value));
