/**
 * The value of `series` in a Prometheus text exposition (a `/metrics` answer): the metric's name
 * with its labels as the server writes them (`zen_ws_clients`,
 * `zen_log_entries_appended_total{level="info"}`); undefined when no line is that series.
 */
export function metricIn(text: string, series: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** `series` (as for `metricIn`) in what the server at `base` (its URL, BASE_PATH included) answers on `/metrics` now. */
export async function scrapeMetric(base: string, series: string): Promise<number | undefined> {
  return metricIn(await (await fetch(`${base}/metrics`)).text(), series);
}
