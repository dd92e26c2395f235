import { PNG } from 'pngjs';
import { z } from 'zod';
import { cloudWatchError } from './alarm-store';
import { aggregate, isSupportedStat, type MetricId, type MetricSource } from './log-metrics';

type Rgb = readonly [number, number, number];

const COLORS = {
  background: [255, 255, 255],
  axis: [120, 120, 120],
  grid: [230, 230, 230],
  threshold: [215, 43, 63],
  series: [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [148, 103, 189],
  ],
} as const satisfies Record<string, Rgb | readonly Rgb[]>;

const MetricRow = z
  .array(z.unknown())
  .min(2)
  .transform((row, ctx) => {
    const last = row[row.length - 1];
    const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
    const parts = hasOptions ? row.slice(0, -1) : row;
    if (!parts.every((p) => typeof p === 'string') || parts.length % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'a metric row is [namespace, name, (dimension, value)*, {options}]',
      });
      return z.NEVER;
    }
    const strings = parts as string[];
    const options = (hasOptions ? last : {}) as { stat?: unknown; period?: unknown };
    return {
      metric: {
        namespace: strings[0] ?? '',
        metricName: strings[1] ?? '',
        dimensions: Array.from({ length: (strings.length - 2) / 2 }, (_, i) => ({
          name: strings[2 + i * 2] ?? '',
          value: strings[3 + i * 2] ?? '',
        })),
      } satisfies MetricId,
      stat: typeof options.stat === 'string' ? options.stat : undefined,
      period: typeof options.period === 'number' ? options.period : undefined,
    };
  });

/** The part of the metric widget JSON the local renderer draws. */
const MetricWidget = z.object({
  metrics: z.array(MetricRow).min(1),
  width: z.number().int().min(1).max(2000).default(600),
  height: z.number().int().min(1).max(2000).default(300),
  start: z.string().default('-PT3H'),
  end: z.string().optional(),
  period: z.number().int().positive().optional(),
  stat: z.string().optional(),
  annotations: z
    .object({ horizontal: z.array(z.object({ value: z.number(), label: z.string().optional() })).optional() })
    .optional(),
});

/** `-PT3H` (relative to now) or an ISO timestamp, as metric widgets take them. */
function widgetTime(text: string, now: number): number {
  const relative = /^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(text);
  if (relative) {
    const [d, h, m] = [relative[1], relative[2], relative[3]].map((v) => Number(v ?? 0)) as [
      number,
      number,
      number,
    ];
    return now - ((d * 24 + h) * 60 + m) * 60_000;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw cloudWatchError(
      'InvalidParameterValueException',
      'InvalidParameterValue',
      `Invalid widget time: ${text}`,
    );
  return ms;
}

/**
 * Renders a metric widget (CloudWatch's GetMetricWidgetImage JSON) as a real PNG: one line per
 * metric from the metric source, the horizontal annotations (the alarm threshold) in red, and a
 * light grid. There are no text labels: the Slack message around the image carries them.
 */
export function renderMetricWidget(widgetJson: string, source: MetricSource, now = Date.now()): Buffer {
  let json: unknown;
  try {
    json = JSON.parse(widgetJson);
  } catch {
    throw cloudWatchError(
      'InvalidParameterValueException',
      'InvalidParameterValue',
      'MetricWidget is not JSON',
    );
  }
  const parsed = MetricWidget.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw cloudWatchError(
      'InvalidParameterValueException',
      'InvalidParameterValue',
      `Invalid MetricWidget at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  const widget = parsed.data;
  const startMs = widgetTime(widget.start, now);
  const endMs = widget.end ? widgetTime(widget.end, now) : now;
  const series = widget.metrics.map((row) => {
    const stat = row.stat ?? widget.stat ?? 'Average';
    if (!isSupportedStat(stat))
      throw cloudWatchError(
        'InvalidParameterValueException',
        'InvalidParameterValue',
        `Unsupported stat ${stat}`,
      );
    const samples = source.samples(row.metric, startMs, endMs) ?? [];
    return aggregate(samples, startMs, endMs, row.period ?? widget.period ?? 300, stat);
  });
  const thresholds = widget.annotations?.horizontal?.map((h) => h.value) ?? [];
  return drawChart(widget.width, widget.height, startMs, endMs, series, thresholds);
}

function drawChart(
  width: number,
  height: number,
  startMs: number,
  endMs: number,
  series: readonly { timestamp: number; value: number }[][],
  thresholds: readonly number[],
): Buffer {
  const png = new PNG({ width, height });
  const set = (x: number, y: number, [r, g, b]: Rgb): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) set(x, y, COLORS.background);
  const margin = { left: Math.min(40, width / 8), right: 10, top: 10, bottom: Math.min(30, height / 8) };
  const plotW = Math.max(1, width - margin.left - margin.right);
  const plotH = Math.max(1, height - margin.top - margin.bottom);
  const values = [...series.flat().map((p) => p.value), ...thresholds];
  const max = Math.max(1, ...values) * 1.1;
  const min = Math.min(0, ...values);
  const px = (t: number): number => margin.left + ((t - startMs) / Math.max(1, endMs - startMs)) * plotW;
  const py = (v: number): number => margin.top + plotH - ((v - min) / (max - min)) * plotH;
  const line = (x0: number, y0: number, x1: number, y1: number, color: Rgb, thick = 1, dash = 0): void => {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      if (dash > 0 && Math.floor(s / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dx = 0; dx < thick; dx++) for (let dy = 0; dy < thick; dy++) set(x + dx, y + dy, color);
    }
  };
  for (let g = 0; g <= 4; g++) {
    const y = margin.top + (plotH * g) / 4;
    line(margin.left, y, margin.left + plotW, y, COLORS.grid);
  }
  line(margin.left, margin.top, margin.left, margin.top + plotH, COLORS.axis);
  line(margin.left, margin.top + plotH, margin.left + plotW, margin.top + plotH, COLORS.axis);
  for (const t of thresholds) line(margin.left, py(t), margin.left + plotW, py(t), COLORS.threshold, 2, 6);
  series.forEach((points, i) => {
    const color = COLORS.series[i % COLORS.series.length] ?? COLORS.series[0];
    points.forEach((p, j) => {
      const prev = points[j - 1];
      if (prev) line(px(prev.timestamp), py(prev.value), px(p.timestamp), py(p.value), color, 2);
      // A lone datapoint still shows as a dot.
      for (let dx = -2; dx <= 2; dx++)
        for (let dy = -2; dy <= 2; dy++) set(px(p.timestamp) + dx, py(p.value) + dy, color);
    });
  });
  return PNG.sync.write(png);
}
