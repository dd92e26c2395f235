import { Arn, ArnFormat, Aws, type Stack } from 'aws-cdk-lib';
import { BotFunctionNames, ResourceNames } from '../../src/topology';

/** The deployed names that both stacks agree on, so the bot stack builds ARNs without Fn::ImportValue. */
export const Names = {
  alarmTopic: ResourceNames.alarmTopic,
  /** The queue between the alarm topic and the alarm function (the local stack uses the same name). */
  alarmQueue: ResourceNames.alarmQueue,
  /** The alarm on the alarm dead-letter queue's depth. */
  alarmDlqAlarm: 'gumshoe-alarm-dlq-not-empty',
  alarmPrefix: 'conference-',
  /** Prefix of the CloudWatch alarm mute rules the Mute button creates (src/aws/cloudwatch-alarms.ts). */
  muteRulePrefix: 'gumshoe-mute-',
  dashboard: 'conference-session',
  slackSecret: ResourceNames.slackSecret,
  webhookSecret: ResourceNames.webhookSecret,
  bot: BotFunctionNames,
} as const;

/**
 * The ARN of a log group (or, ending in `*`, of the groups under a prefix) in the stack's own
 * account and region: the form `logs:StartQuery` is scoped by.
 */
export function logGroupArn(stack: Stack, logGroupName: string): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The ARN of the alarm topic, rebuilt from its fixed name in the deploying stack's account and region. */
export function alarmTopicArn(stack: Stack): string {
  return Arn.format(
    { service: 'sns', resource: Names.alarmTopic, account: Aws.ACCOUNT_ID, region: Aws.REGION },
    stack,
  );
}
