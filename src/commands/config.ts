import { z } from 'zod';
import { FunctionNames, logGroupOf } from '../conference-app/contract';

/** A Lambda instruction set: the duration price depends on it and the logs do not show it. */
export const Architecture = z.enum(['x86_64', 'arm64']);
export type Architecture = z.infer<typeof Architecture>;

/** Lambda list prices (us-east-1, first tier); override per Region. */
export const Pricing = z.object({
  x86_64PerGbSecond: z.number().nonnegative().default(0.0000166667),
  arm64PerGbSecond: z.number().nonnegative().default(0.0000133334),
  perMillionRequests: z.number().nonnegative().default(0.2),
});
export type Pricing = z.infer<typeof Pricing>;

/** Everything the investigations need to know about the watched service; the edge parses env into it. */
export const InvestigationConfig = z.object({
  region: z.string().min(1).default('eu-west-1'),
  logGroupNames: z
    .array(z.string().min(1))
    .min(1)
    .default(Object.values(FunctionNames).map((name) => logGroupOf(name))),
  /** How far back /trace looks for a session id or trace id. */
  traceLookbackMs: z
    .number()
    .int()
    .positive()
    .default(7 * 24 * 60 * 60 * 1000),
  /** The window /leadtime uses when none is given. */
  leadTimeDefaultWindow: z.string().min(1).default('1h'),
  pricing: Pricing.default({
    x86_64PerGbSecond: 0.0000166667,
    arm64PerGbSecond: 0.0000133334,
    perMillionRequests: 0.2,
  }),
  architectures: z.record(z.string(), Architecture).default({}),
  defaultArchitecture: Architecture.default('arm64'),
});
export type InvestigationConfig = z.infer<typeof InvestigationConfig>;

/** The config with every default, optionally overridden. */
export function investigationConfig(
  overrides: z.input<typeof InvestigationConfig> = {},
): InvestigationConfig {
  return InvestigationConfig.parse(overrides);
}
