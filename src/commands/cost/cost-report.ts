import type { Architecture, Pricing } from '../config';
import { parseNumber } from '../query/rows';
import type { ScanSummary } from '../slack/block-kit';

/** One function's usage and cost over a period. */
export interface FunctionCost {
  readonly functionName: string;
  readonly architecture: Architecture;
  readonly invocations: number;
  readonly avgDurationMs: number;
  readonly maxDurationMs: number;
  readonly gbSeconds: number;
  readonly computeUsd: number;
  readonly requestUsd: number;
  readonly totalUsd: number;
  /** Cost of the previous period of the same length; undefined when it had none. */
  readonly previousUsd: number | undefined;
}

/** What /cost found: functions by cost, the total and the change against the previous period. */
export interface CostReport {
  readonly period: { readonly start: Date; readonly end: Date; readonly label: string };
  readonly functions: readonly FunctionCost[];
  readonly totalUsd: number;
  readonly previousTotalUsd: number;
  /** Relative change (0.25 = +25 %); undefined when the previous period cost nothing. */
  readonly change: number | undefined;
  readonly scan: ScanSummary;
}

/** One period's usage of one function, both log formats added up. */
export interface FunctionUsage {
  readonly functionName: string;
  readonly invocations: number;
  readonly avgDurationMs: number;
  readonly maxDurationMs: number;
  readonly gbSeconds: number;
}

/** `123456789012:/aws/lambda/fn` (or a bare group name) → `fn`. */
export function functionNameOfLog(log: string): string {
  // Log group names cannot contain ':', so whatever follows the last one is the group.
  const group = log.slice(log.lastIndexOf(':') + 1);
  return group.startsWith('/aws/lambda/') ? group.slice('/aws/lambda/'.length) : group;
}

/**
 * Merges the rows of the text-format and JSON-format queries into usage per function (a function
 * switched format mid-period appears in both).
 */
export function readUsage(rowSets: readonly (readonly Record<string, string>[])[]): FunctionUsage[] {
  const byName = new Map<
    string,
    { invocations: number; durationSum: number; maxDurationMs: number; gbSeconds: number }
  >();
  for (const rows of rowSets) {
    for (const row of rows) {
      if (!row['@log']) continue;
      const name = functionNameOfLog(row['@log']);
      const invocations = parseNumber(row.invocations) ?? 0;
      const u = byName.get(name) ?? { invocations: 0, durationSum: 0, maxDurationMs: 0, gbSeconds: 0 };
      u.invocations += invocations;
      u.durationSum += (parseNumber(row.avgDurationMs) ?? 0) * invocations;
      u.maxDurationMs = Math.max(u.maxDurationMs, parseNumber(row.maxDurationMs) ?? 0);
      u.gbSeconds += parseNumber(row.gbSeconds) ?? 0;
      byName.set(name, u);
    }
  }
  return [...byName.entries()].map(([functionName, u]) => ({
    functionName,
    invocations: u.invocations,
    avgDurationMs: u.invocations > 0 ? u.durationSum / u.invocations : 0,
    maxDurationMs: u.maxDurationMs,
    gbSeconds: u.gbSeconds,
  }));
}

/** Dollars of one function's usage: GB-s × its architecture's price + requests × the per-million price. */
export function priceUsage(
  usage: FunctionUsage,
  architecture: Architecture,
  pricing: Pricing,
): { computeUsd: number; requestUsd: number; totalUsd: number } {
  const rate = architecture === 'arm64' ? pricing.arm64PerGbSecond : pricing.x86_64PerGbSecond;
  const computeUsd = usage.gbSeconds * rate;
  const requestUsd = (usage.invocations / 1_000_000) * pricing.perMillionRequests;
  return { computeUsd, requestUsd, totalUsd: computeUsd + requestUsd };
}

/** Prices both periods and sorts functions by cost, most expensive first. */
export function summarizeCost(input: {
  readonly current: readonly FunctionUsage[];
  readonly previous: readonly FunctionUsage[];
  readonly period: CostReport['period'];
  readonly pricing: Pricing;
  readonly architectures: Readonly<Record<string, Architecture>>;
  readonly defaultArchitecture: Architecture;
  readonly scan: ScanSummary;
}): CostReport {
  const archOf = (name: string) => input.architectures[name] ?? input.defaultArchitecture;
  const previousByName = new Map(
    input.previous.map((u) => [
      u.functionName,
      priceUsage(u, archOf(u.functionName), input.pricing).totalUsd,
    ]),
  );
  const functions = input.current
    .map((u) => {
      const architecture = archOf(u.functionName);
      return {
        ...u,
        architecture,
        ...priceUsage(u, architecture, input.pricing),
        previousUsd: previousByName.get(u.functionName),
      };
    })
    .sort((a, b) => b.totalUsd - a.totalUsd || a.functionName.localeCompare(b.functionName));
  const totalUsd = functions.reduce((s, f) => s + f.totalUsd, 0);
  const previousTotalUsd = [...previousByName.values()].reduce((s, v) => s + v, 0);
  return {
    period: input.period,
    functions,
    totalUsd,
    previousTotalUsd,
    change: previousTotalUsd > 0 ? (totalUsd - previousTotalUsd) / previousTotalUsd : undefined,
    scan: input.scan,
  };
}
