import * as z from 'zod';
import { FIELD_NAME, LOG_FORMATS } from './log-fields';

/**
 * An object that refuses unknown keys and says which keys it takes (zod's own message names only
 * the unknown one, and a typo is the likeliest config mistake).
 */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected one of ${Object.keys(shape).join(', ')}`
        : undefined,
  });
}

const FieldName = z
  .string()
  .regex(
    FIELD_NAME,
    'a log field name such as orderId, correlation_id or error.name (letters, digits, _, dots)',
  );

/** A flow or milestone name: safe in a query string, a Slack message and a command argument. */
const MilestoneName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'a milestone name such as ORDER_RECEIVED (letters, digits, _ . : -)');

const FlowName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a flow name such as orders (lower case letters, digits, -; at most 40)');

const FunctionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name');

const LogGroupName = z
  .string()
  .regex(/^[A-Za-z0-9_./#-]{1,512}$/, 'a CloudWatch log group name such as /aws/lambda/orders-api');

/** The log groups to search: explicit names and/or name prefixes (resolved with DescribeLogGroups). */
export const LogGroupsSpec = strictObject({
  names: z.array(LogGroupName).default([]),
  prefixes: z.array(LogGroupName).default([]),
});

/** Field names that differ from the chosen preset's. */
export const LogFieldOverrides = strictObject({
  correlation: FieldName.optional(),
  milestone: FieldName.optional(),
  functionName: FieldName.optional(),
  level: FieldName.optional(),
  message: FieldName.optional(),
  exceptionName: FieldName.optional(),
  exceptionMessage: FieldName.optional(),
  exceptionStack: FieldName.optional(),
  xrayTraceId: FieldName.optional(),
  requestId: FieldName.optional(),
  timestamp: FieldName.optional(),
});

/** One milestone: its name, who logs it and what it follows. */
export const MilestoneSpec = strictObject({
  name: MilestoneName,
  /** The Lambda function expected to log it (its log group is searched too). */
  function: FunctionName.optional(),
  /** Or the log group expected to hold it, for what is not a Lambda function. */
  logGroup: LogGroupName.optional(),
  /** The milestone(s) it follows; expected once any of them was logged. A root has none. */
  after: z
    .union([MilestoneName, z.array(MilestoneName)], {
      error: 'a milestone listed before this one (ORDER_RECEIVED), or a list of them ([A, B])',
    })
    .optional(),
  /** Seen in only some traces (a branch not always taken): never reported as missing. */
  optional: z.boolean().default(false),
});

/** A pair of milestones /leadtime measures between. */
export const LeadTimeSpec = strictObject({ from: MilestoneName, to: MilestoneName });

/** One business flow of the service. */
export const FlowSpec = strictObject({
  name: FlowName,
  description: z.string().max(200).optional(),
  /** The fields a user may type a value of to /trace (`sessionId`, `orderId`). */
  businessIds: z.array(FieldName).min(1, 'at least one business id field such as orderId'),
  /** The correlation field, when not the preset's. */
  correlation: FieldName.optional(),
  logFormat: z.enum(LOG_FORMATS).optional(),
  fields: LogFieldOverrides.optional(),
  milestones: z.array(MilestoneSpec).min(1, 'at least one milestone'),
  /** The pairs /leadtime measures; the first is the default (without any: first to last milestone). */
  leadTime: z.array(LeadTimeSpec).default([]),
  logGroups: LogGroupsSpec.optional(),
});

/** The whole Gumshoe config file. */
export const GumshoeConfigFile = strictObject({
  /** For editors: the JSON Schema the file follows. */
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  /** The field preset every flow starts from. */
  logFormat: z.enum(LOG_FORMATS).default('gumshoe'),
  fields: LogFieldOverrides.optional(),
  /** Searched by every command (besides each milestone's function); /cost prices these. */
  logGroups: LogGroupsSpec.optional(),
  flows: z.array(FlowSpec).min(1, 'at least one flow'),
}).superRefine((config, ctx) => {
  const names = new Set<string>();
  config.flows.forEach((flow, f) => {
    if (names.has(flow.name))
      ctx.addIssue({
        code: 'custom',
        path: ['flows', f, 'name'],
        message: `flow ${flow.name} is defined twice`,
      });
    names.add(flow.name);
    checkMilestones(flow, (path, message) =>
      ctx.addIssue({ code: 'custom', path: ['flows', f, ...path], message }),
    );
  });
});
export type GumshoeConfigFile = z.infer<typeof GumshoeConfigFile>;
export type FlowSpec = z.infer<typeof FlowSpec>;

/** The graph's own rules: unique names, `after` naming an earlier milestone, lead-time pairs that exist. */
function checkMilestones(flow: FlowSpec, issue: (path: (string | number)[], message: string) => void): void {
  const earlier: string[] = [];
  flow.milestones.forEach((m, i) => {
    if (earlier.includes(m.name)) issue(['milestones', i, 'name'], `milestone ${m.name} is listed twice`);
    const after = m.after === undefined ? [] : Array.isArray(m.after) ? m.after : [m.after];
    for (const a of after) {
      if (!earlier.includes(a)) {
        issue(
          ['milestones', i, 'after'],
          `expected a milestone listed before ${m.name} (${earlier.join(', ') || 'none'}), got ${a}`,
        );
      }
    }
    earlier.push(m.name);
  });
  flow.leadTime.forEach((pair, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!earlier.includes(pair[end]))
        issue(
          ['leadTime', i, end],
          `expected one of this flow's milestones (${earlier.join(', ')}), got ${pair[end]}`,
        );
    }
  });
  if (flow.correlation && flow.businessIds.includes(flow.correlation))
    issue(['businessIds'], `${flow.correlation} is the correlation field; a business id is another field`);
}
