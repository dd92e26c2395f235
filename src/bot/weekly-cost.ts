import type { WebClient } from '@slack/web-api';
import type { InvestigationJob } from '../commands/jobs';
import type { SlackMessage } from '../commands/slack/block-kit';
import { parseTimeWindow } from '../commands/time-window';
import { withRateLimitBudget } from './slack-client';

/** What the weekly cost report needs. */
export interface WeeklyCostDeps {
  investigate: (job: InvestigationJob) => Promise<SlackMessage>;
  client: WebClient;
  channelId: string;
  remainingTimeMs: () => number;
}

/** Runs /cost for the last week and posts it to the configured channel; returns the message ts. */
export async function postWeeklyCost(deps: WeeklyCostDeps): Promise<string | undefined> {
  const message = await deps.investigate({ kind: 'cost', period: parseTimeWindow('week') });
  const result = await withRateLimitBudget(
    () =>
      deps.client.chat.postMessage({
        channel: deps.channelId,
        text: message.text,
        blocks: message.blocks as never,
      }),
    { remainingTimeMs: deps.remainingTimeMs },
  );
  return result.ts;
}
