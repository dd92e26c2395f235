/** The console page of an alarm. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** Encodes one value of the console's Logs Insights `queryDetail` (a JSURL-like format): `%` becomes `*`. */
function insightsValue(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%/g, '*');
}

/** What a Logs Insights console link opens. */
export interface LogsInsightsLink {
  readonly region: string;
  readonly query: string;
  readonly logGroups: readonly string[];
  readonly start: Date;
  readonly end: Date;
}

/**
 * The console deep link that opens Logs Insights with a query, its log groups and an absolute UTC
 * window. The fragment is the console's own format: `queryDetail=~(…)` with `*`-escaped values,
 * URI-encoded once more with `$` in place of `%`.
 */
export function logsInsightsConsoleUrl(link: LogsInsightsLink): string {
  const detail =
    `~(end~'${insightsValue(link.end.toISOString())}~start~'${insightsValue(link.start.toISOString())}` +
    `~timeType~'ABSOLUTE~tz~'UTC~editorString~'${insightsValue(link.query)}` +
    `~source~(${link.logGroups.map((g) => `~'${insightsValue(g)}`).join('')}))`;
  const fragment = `?queryDetail=${detail}`;
  const r = encodeURIComponent(link.region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:logs-insights${encodeURIComponent(fragment).replace(/%/g, '$')}`;
}
