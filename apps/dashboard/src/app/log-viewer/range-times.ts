import { formatDate } from '@angular/common';

/**
 * A time of the histogram or its range chip: the time of day when everything shown lies
 * within one day (`from`..`to`, local time), else with its date too. Clients set entries'
 * times, and one log may span years (1970 to 9999): times of day alone would name a range of
 * decades `00:00:00 – 23:59:59`. `dated` when the log's rows are (it spans days): a range
 * within one of its days says which.
 */
export function rangeTime(
  ms: number,
  span: { from: number; to: number },
  fine: boolean,
  locale: string,
  dated = false,
): string {
  const day = (time: number) => formatDate(time, 'yyyy-MM-dd', locale);
  const clock = fine ? 'HH:mm:ss.SSS' : 'HH:mm:ss';
  return formatDate(ms, !dated && day(span.from) === day(span.to) ? clock : `yyyy-MM-dd ${clock}`, locale);
}
