import { formatDate } from '@angular/common';

/**
 * A time of the histogram or its range chip: the time of day when everything shown lies
 * within one day (`from`..`to`, local time), else with its date too. Clients set entries'
 * times, and one log may span years (1970 to 9999): times of day alone would name a range of
 * decades `00:00:00 – 23:59:59`.
 */
export function rangeTime(ms: number, span: { from: number; to: number }, fine: boolean, locale: string): string {
  const day = (time: number) => formatDate(time, 'yyyy-MM-dd', locale);
  const clock = fine ? 'HH:mm:ss.SSS' : 'HH:mm:ss';
  return formatDate(ms, day(span.from) === day(span.to) ? clock : `yyyy-MM-dd ${clock}`, locale);
}
