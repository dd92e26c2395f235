import { ArnFormat, type Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SPANS_LOG_GROUP } from '../../../src/commands/xray/spans-fallback';
import type { LogGroupScope } from '../deployed-flows';
import { logGroupArn } from '../naming';
import type { GumshoeFunction } from './gumshoe-function';

/** The Logs Insights and X-Ray read permissions of the bot's functions, scoped to the groups it watches. */
export class LogQueryGrants {
  private readonly arns: string[];

  constructor(
    private readonly stack: Stack,
    private readonly scope: LogGroupScope,
  ) {
    // Both forms: StartQuery has been seen authorizing against `log-group:<name>:log-stream:`, which
    // only the `:*` form matches; the suffix widens to the group's own streams, never another group.
    // A prefix's `*` covers its groups and their streams alike.
    this.arns = [
      ...scope.names.flatMap((name) => {
        const arn = logGroupArn(stack, name);
        return [arn, `${arn}:*`];
      }),
      ...scope.prefixes.map((prefix) => logGroupArn(stack, `${prefix}*`)),
    ];
  }

  /** Grants Logs Insights queries on the watched log groups only (what /cost and /leadtime read). */
  grantQueries(reader: GumshoeFunction): void {
    reader.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:StartQuery'],
        resources: this.arns,
      }),
    );
    // GetQueryResults and StopQuery take a query id, not a log group: they support no resource-level permissions.
    reader.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:GetQueryResults', 'logs:StopQuery'],
        resources: ['*'],
      }),
    );
    const groups = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group';
    for (const name of this.scope.names) {
      Validations.of(reader).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${groups}:${name}:*]`,
        reason: 'The streams of one watched log group: StartQuery authorizes at stream level.',
      });
    }
    for (const prefix of this.scope.prefixes) {
      Validations.of(reader).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${groups}:${prefix}*]`,
        reason: 'The log groups under a prefix the Gumshoe config (or GUMSHOE_LOG_GROUP_PREFIX) names.',
      });
    }
  }

  /**
   * Grants DescribeLogGroups, how configured log group prefixes become names
   * (src/aws/cloudwatch-log-groups.ts). It lists groups account-wide: IAM scopes it no narrower
   * than `log-group:*`, and it reads names only, never events.
   */
  grantListing(reader: GumshoeFunction): void {
    const everyGroup = this.stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    reader.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:DescribeLogGroups'],
        resources: [everyGroup],
      }),
    );
    Validations.of(reader).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      reason: 'DescribeLogGroups lists group names by prefix; IAM scopes it no narrower than every group.',
    });
  }

  /**
   * Grants what an investigation sends (src/bot/handlers/worker.ts): log queries on the watched
   * groups and on `aws/spans` (the waterfall's fallback when Transaction Search holds the spans),
   * and the X-Ray trace reads. Alarm graphs are drawn by the alarm function, not here.
   */
  grantInvestigations(investigator: GumshoeFunction): void {
    this.grantQueries(investigator);
    const spans = this.stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: SPANS_LOG_GROUP,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    investigator.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:StartQuery'],
        resources: [spans, `${spans}:*`],
      }),
    );
    Validations.of(investigator).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${SPANS_LOG_GROUP}:*]`,
      reason: 'The streams of the aws/spans log group only: StartQuery authorizes at stream level.',
    });
    // X-Ray's trace read actions support no resource-level permissions.
    investigator.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['xray:BatchGetTraces', 'xray:GetTraceSummaries'],
        resources: ['*'],
      }),
    );
  }
}
