// zod/mini: the Slack handler parses this config at load, so its cold start pays for it.
import * as z from 'zod/mini';
import type { FlowSet } from './flows/flow-set';

/** A Lambda instruction set: the duration price depends on it and the logs do not show it. */
export const Architecture = z.enum(['x86_64', 'arm64']);
export type Architecture = z.infer<typeof Architecture>;

const price = (fallback: number) => z._default(z.number().check(z.nonnegative()), fallback);

/** Lambda list prices (us-east-1, first tier); override per Region. */
export const Pricing = z.object({
  x86_64PerGbSecond: price(0.0000166667),
  arm64PerGbSecond: price(0.0000133334),
  perMillionRequests: price(0.2),
});
export type Pricing = z.infer<typeof Pricing>;

/** Everything the investigations need to know about the watched service; the edge parses env into it. */
export const InvestigationConfig = z.object({
  region: z._default(z.string().check(z.minLength(1)), 'eu-west-1'),
  /**
   * The log groups every command searches, resolved: the config's names, its prefixes' groups, or
   * the groups under GUMSHOE_LOG_GROUP_PREFIX (the worker resolves them before each job).
   */
  logGroupNames: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** How far back /trace looks for a session id or trace id. */
  traceLookbackMs: z._default(z.int().check(z.positive()), 7 * 24 * 60 * 60 * 1000),
  /** The window /leadtime uses when none is given. */
  leadTimeDefaultWindow: z._default(z.string().check(z.minLength(1)), '1h'),
  pricing: z._default(Pricing, {
    x86_64PerGbSecond: 0.0000166667,
    arm64PerGbSecond: 0.0000133334,
    perMillionRequests: 0.2,
  }),
  architectures: z._default(z.record(z.string(), Architecture), {}),
  defaultArchitecture: z._default(Architecture, 'arm64'),
});
/** The settings, and the flows of the config file when there is one (GUMSHOE_CONFIG). */
export type InvestigationConfig = z.infer<typeof InvestigationConfig> & {
  /** Undefined: no config, so ids are searched anywhere in a line and flows are learned. */
  readonly flows?: FlowSet | undefined;
};

/** The config with every default, optionally overridden. */
export function investigationConfig(
  overrides: z.input<typeof InvestigationConfig> & { readonly flows?: FlowSet | undefined } = {},
): InvestigationConfig {
  const { flows, ...settings } = overrides;
  return { ...InvestigationConfig.parse(settings), ...(flows ? { flows } : {}) };
}
