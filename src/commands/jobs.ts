import * as z from 'zod';
import { AlarmButtonValueSchema, investigateTargetOf } from './alarms/alarm-buttons';
import { investigateAlarm } from './alarms/investigate';
import type { InvestigationConfig } from './config';
import { investigateCost } from './cost/cost';
import { costMessage } from './cost/cost-view';
import { flowsMessage } from './flows/flows-view';
import { investigateFieldsOf } from './flows/investigate-fields';
import { learnFlowsOfWindow } from './flows/learn-flows';
import type { FlowLearner } from './flows/learned-flows';
import { helpMessage } from './help/help-view';
import { investigateLeadTime } from './leadtime/leadtime';
import { leadTimeMessage } from './leadtime/leadtime-view';
import type { Clock, LogSearch } from './ports';
import type { SlackMessage } from './slack/block-kit';
import { TimeWindowSpec } from './time-window';
import { investigateTrace, showTraceLogs } from './trace/trace-session';
import { traceLogsMessage, traceMessage } from './trace/trace-view';
import type { TraceSummaryReader } from './xray/trace-summaries';
import { showTraceWaterfall, type XRayTraceReader } from './xray/waterfall-session';

/** The work the Slack edge hands to the worker: JSON-serialisable, parsed again on arrival. */
export const InvestigationJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('trace'), id: z.string().min(1).max(80) }),
  z.object({
    kind: z.literal('leadtime'),
    window: TimeWindowSpec,
    flow: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/)
      .optional(),
    from: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,80}$/)
      .optional(),
    to: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,80}$/)
      .optional(),
  }),
  z.object({ kind: z.literal('flows'), window: TimeWindowSpec }),
  z.object({ kind: z.literal('cost'), period: TimeWindowSpec }),
  z.object({
    kind: z.literal('trace_logs'),
    traceId: z.string().min(1).max(80),
    functionName: z.string().min(1).max(64),
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().nonnegative(),
    flow: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/)
      .optional(),
  }),
  z.object({ kind: z.literal('alarm_investigate'), alarm: AlarmButtonValueSchema }),
  z.object({ kind: z.literal('xray_waterfall'), traceId: z.string().regex(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/) }),
]);
export type InvestigationJob = z.infer<typeof InvestigationJob>;

/** The ports every investigation needs. */
export interface InvestigationPorts {
  readonly logs: LogSearch;
  readonly clock: Clock;
  /** For `xray_waterfall`; without it the waterfall comes from the `aws/spans` log group only. */
  readonly xray?: XRayTraceReader;
  /** For `alarm_investigate`: GetTraceSummaries over the alarm window; without it the answer has the log errors only. */
  readonly traceSummaries?: TraceSummaryReader;
  /** Learns /trace's flow without a config; keep one per worker environment to learn once per TTL. */
  readonly learner?: FlowLearner;
}

/** Stands in when no X-Ray reader is wired: finds nothing, so the waterfall falls back to `aws/spans`. */
const noXRay: XRayTraceReader = { batchGetTraces: async () => ({ Traces: [] }) };

// Kept in its own module so the Slack handler's ack path can build a job without loading every
// investigation this file runs.
export { type CommandJob, jobFromCommand } from './job-from-command';

/** Runs one job to its Slack answer (already validated against Slack's limits); expected failures throw GumshoeError. */
export async function runInvestigation(
  job: InvestigationJob,
  ports: InvestigationPorts,
  config: InvestigationConfig,
): Promise<SlackMessage> {
  switch (job.kind) {
    case 'trace':
      return traceMessage(await investigateTrace({ id: job.id }, ports, config));
    case 'leadtime':
      return leadTimeMessage(
        await investigateLeadTime(
          { window: job.window, flow: job.flow, from: job.from, to: job.to },
          ports,
          config,
        ),
      );
    case 'flows':
      return flowsMessage(await learnFlowsOfWindow({ window: job.window }, ports, config));
    case 'cost':
      return costMessage(await investigateCost({ period: job.period }, ports, config));
    case 'trace_logs':
      return traceLogsMessage(await showTraceLogs(job, ports, config));
    case 'alarm_investigate':
      return investigateAlarm(
        investigateTargetOf(job.alarm),
        ports.logs,
        ports.traceSummaries,
        investigateFieldsOf(config.flows),
      );
    case 'xray_waterfall': {
      const answer = await showTraceWaterfall(
        job.traceId,
        { xray: ports.xray ?? noXRay, logs: ports.logs, clock: ports.clock },
        { region: config.region },
      );
      return answer.message;
    }
  }
}

/** Help as a message, re-exported so the edge needs one import for every answer. */
export { helpMessage };
