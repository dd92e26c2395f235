import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { logGroupOf } from '../../src/conference-app/contract/function-names';
import { MILESTONES, Milestone } from '../../src/conference-app/contract/milestones';

// Only the functions that log milestones: fewer groups, fewer bytes scanned.
const MILESTONE_LOG_GROUPS = [...new Set(MILESTONES.map((m) => logGroupOf(m.functionName)))];

import type { CreatedSession, DeliveryCheck } from './smoke-steps';

/** Options of {@link LogsDeliveryCheck}. */
export interface LogsDeliveryCheckOptions {
  /** How far back the milestone query looks, in ms (the session was just created). */
  lookbackMs?: number;
  /** Wait between GetQueryResults polls. */
  resultPollMs?: number;
}

/** Reads the milestones a trace has logged, with the seed's milestone query, over the service's log groups. */
export class LogsDeliveryCheck implements DeliveryCheck {
  readonly kind = 'Logs Insights milestones';
  private readonly lookbackMs: number;
  private readonly resultPollMs: number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    options: LogsDeliveryCheckOptions = {},
  ) {
    this.lookbackMs = options.lookbackMs ?? 15 * 60_000;
    this.resultPollMs = options.resultPollMs ?? 500;
  }

  async notified(session: CreatedSession): Promise<boolean> {
    return (await this.milestones(session.traceId)).includes(Milestone.slackNotificationSent);
  }

  async forwarded(session: CreatedSession): Promise<boolean> {
    return (await this.milestones(session.traceId)).includes(Milestone.sessionForwarded);
  }

  /** The milestone names logged for one trace, oldest first. */
  async milestones(traceId: string): Promise<string[]> {
    const end = Date.now();
    const { queryId } = await this.client.send(
      new StartQueryCommand({
        logGroupNames: MILESTONE_LOG_GROUPS,
        startTime: Math.floor((end - this.lookbackMs) / 1000),
        endTime: Math.ceil(end / 1000) + 1,
        queryString: [
          'fields milestone, functionName, timestamp',
          `| filter traceId=${JSON.stringify(traceId)} and ispresent(milestone)`,
          '| sort timestamp asc',
        ].join('\n'),
      }),
    );
    if (!queryId) throw new Error('StartQuery returned no queryId');
    for (;;) {
      const result = await this.client.send(new GetQueryResultsCommand({ queryId }));
      if (result.status === 'Complete') return (result.results ?? []).map((row) => field(row, 'milestone'));
      if (result.status !== 'Running' && result.status !== 'Scheduled') {
        throw new Error(`Logs Insights query ended ${result.status ?? 'without a status'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.resultPollMs));
    }
  }
}

function field(row: ResultField[], name: string): string {
  return row.find((f) => f.field === name)?.value ?? '';
}
