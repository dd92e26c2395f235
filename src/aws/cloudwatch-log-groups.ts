import { type CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { GumshoeError } from '../commands/errors';
import type { LogGroupCatalog } from '../commands/flows/log-groups';

/** The log groups under a prefix, from DescribeLogGroups (paginated; a few hundred at most are read). */
export class CloudWatchLogGroupCatalog implements LogGroupCatalog {
  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly maxGroups = 500,
  ) {}

  async listLogGroups(prefix: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateDescribeLogGroups(
        { client: this.client },
        { logGroupNamePrefix: prefix },
      )) {
        for (const group of page.logGroups ?? []) if (group.logGroupName) names.push(group.logGroupName);
        if (names.length >= this.maxGroups) break;
      }
    } catch (error) {
      throw new GumshoeError(
        `DescribeLogGroups ${prefix} failed`,
        `Gumshoe could not list the log groups under ${prefix}.`,
        { cause: error },
      );
    }
    return names;
  }
}
