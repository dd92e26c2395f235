// zod/mini, with zod's English messages (classic loads them on import; mini does not): the Slack
// handler parses this at load, and zod classic's load time counted against its cold start.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { InvestigationConfig } from '../commands/config';
import { BotConfigError } from './errors';
import { flowConfigPath } from './flow-config-path';
import { DEFAULT_RESPONSE_URL_HOSTS, type ResponseUrlPolicy } from './response-url';

// jitless: zod otherwise compiles a parser with `new Function` the first time each object schema
// parses; our handlers parse a few small objects per invocation, where that compile (about 7 ms of
// the Slack handler's first invocation) never pays back.
z.config({ ...en(), jitless: true });

const commaList = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  ),
);

const optionalNumber = z.optional(z.coerce.number().check(z.nonnegative()));

const BotEnvSchema = z.object({
  GUMSHOE_CHANNEL: z.string().check(z.regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD')),
  GUMSHOE_LOG_GROUPS: commaList,
  GUMSHOE_WORKER_FUNCTION: z.optional(z.string().check(z.minLength(1))),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'eu-west-1'),
  GUMSHOE_PRICE_X86_64_GB_SECOND: optionalNumber,
  GUMSHOE_PRICE_ARM64_GB_SECOND: optionalNumber,
  GUMSHOE_PRICE_PER_MILLION_REQUESTS: optionalNumber,
  /** `function-name=arm64,other=x86_64` */
  GUMSHOE_ARCHITECTURES: commaList,
  GUMSHOE_DEFAULT_ARCHITECTURE: z.optional(z.enum(['x86_64', 'arm64'])),
  GUMSHOE_ALLOWED_CHANNELS: commaList,
  GUMSHOE_ALLOWED_USERS: commaList,
  SLACK_API_URL: z.optional(z.url()),
  /** Slack's response hosts (GovSlack and other deployments add theirs); default hooks.slack.com. */
  SLACK_RESPONSE_URL_HOSTS: z.pipe(
    commaList,
    z.array(z.string().check(z.regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/))),
  ),
  /** Set by the local stack only: the local Slack's response base, the one place answers may go. */
  SLACK_RESPONSE_URL_BASE: z.optional(z.url()),
  /** The alarm-state table, shared with the alarm Lambdas; the Slack handler keeps replay claims in it. */
  GUMSHOE_ALARM_TABLE: z.optional(z.string().check(z.minLength(1))),
  /** The flow config file (JSON or YAML); read by the worker at init and by help, never on the ack path. */
  GUMSHOE_CONFIG: z.optional(z.string()),
  SLACK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 5000),
});

/** Everything the bot's Lambdas read from their environment, parsed once. */
export interface BotConfig {
  channelId: string;
  workerFunctionName?: string;
  region: string;
  /** Empty means every channel / user may use the commands. */
  allowedChannelIds: string[];
  allowedUserIds: string[];
  /** The local Slack's Web API (`http://127.0.0.1:3100/api/`); Slack's own when absent. */
  slackApiUrl?: string;
  slackTimeoutMs: number;
  /** Where the worker may POST answers (response_url). */
  responseUrls: ResponseUrlPolicy;
  /** The table of replay claims shared by every environment; in-memory only without it. */
  replayTable?: string;
  /** GUMSHOE_CONFIG: where the flows are configured; undefined means no config. */
  flowConfigFile?: string;
  investigation: InvestigationConfig;
}

/** Parses the bot's environment, naming the variable that is wrong. */
export function loadBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const parsed = BotEnvSchema.safeParse(env);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new BotConfigError(`invalid bot environment: ${where}`, { cause: parsed.error });
  }
  const e = parsed.data;
  const architectures: Record<string, 'x86_64' | 'arm64'> = {};
  for (const pair of e.GUMSHOE_ARCHITECTURES) {
    const [name, arch] = pair.split('=').map((part) => part.trim());
    if (!name || (arch !== 'x86_64' && arch !== 'arm64')) {
      throw new BotConfigError(
        `invalid bot environment: GUMSHOE_ARCHITECTURES entry "${pair}" is not name=x86_64|arm64`,
      );
    }
    architectures[name] = arch;
  }
  const pricing = {
    ...(e.GUMSHOE_PRICE_X86_64_GB_SECOND !== undefined
      ? { x86_64PerGbSecond: e.GUMSHOE_PRICE_X86_64_GB_SECOND }
      : {}),
    ...(e.GUMSHOE_PRICE_ARM64_GB_SECOND !== undefined
      ? { arm64PerGbSecond: e.GUMSHOE_PRICE_ARM64_GB_SECOND }
      : {}),
    ...(e.GUMSHOE_PRICE_PER_MILLION_REQUESTS !== undefined
      ? { perMillionRequests: e.GUMSHOE_PRICE_PER_MILLION_REQUESTS }
      : {}),
  };
  const investigation = InvestigationConfig.safeParse({
    region: e.AWS_REGION,
    ...(e.GUMSHOE_LOG_GROUPS.length > 0 ? { logGroupNames: e.GUMSHOE_LOG_GROUPS } : {}),
    ...(Object.keys(pricing).length > 0 ? { pricing: InvestigationConfig.shape.pricing.parse(pricing) } : {}),
    architectures,
    ...(e.GUMSHOE_DEFAULT_ARCHITECTURE ? { defaultArchitecture: e.GUMSHOE_DEFAULT_ARCHITECTURE } : {}),
  });
  if (!investigation.success) {
    throw new BotConfigError(`invalid investigation settings: ${investigation.error.message}`, {
      cause: investigation.error,
    });
  }
  return {
    channelId: e.GUMSHOE_CHANNEL,
    ...(e.GUMSHOE_WORKER_FUNCTION ? { workerFunctionName: e.GUMSHOE_WORKER_FUNCTION } : {}),
    region: e.AWS_REGION,
    allowedChannelIds: e.GUMSHOE_ALLOWED_CHANNELS,
    allowedUserIds: e.GUMSHOE_ALLOWED_USERS,
    ...(e.SLACK_API_URL ? { slackApiUrl: e.SLACK_API_URL } : {}),
    slackTimeoutMs: e.SLACK_TIMEOUT_MS,
    responseUrls: e.SLACK_RESPONSE_URL_BASE
      ? { kind: 'base', base: e.SLACK_RESPONSE_URL_BASE }
      : {
          kind: 'slack',
          hosts:
            e.SLACK_RESPONSE_URL_HOSTS.length > 0
              ? e.SLACK_RESPONSE_URL_HOSTS
              : [...DEFAULT_RESPONSE_URL_HOSTS],
        },
    ...(e.GUMSHOE_ALARM_TABLE ? { replayTable: e.GUMSHOE_ALARM_TABLE } : {}),
    ...(e.GUMSHOE_CONFIG?.trim() ? { flowConfigFile: flowConfigPath(e.GUMSHOE_CONFIG.trim(), env) } : {}),
    investigation: investigation.data,
  };
}
