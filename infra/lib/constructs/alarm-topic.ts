import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * An SNS topic that this account's CloudWatch alarms may publish to, over TLS only.
 *
 * `enforceSSL` makes CDK attach a topic policy, and a topic policy replaces SNS's default one: with
 * only the TLS deny in it, `cloudwatch.amazonaws.com` may not `sns:Publish` and every alarm action
 * fails ("…alarm:X is not authorized to perform: SNS:Publish"). The allow is scoped to alarms of
 * this account and region with `aws:SourceAccount` and `aws:SourceArn` (the confused-deputy keys
 * the SNS access-control examples use for CloudWatch alarms).
 */
export function alarmTopic(scope: Construct, id: string, topicName: string): Topic {
  const topic = new Topic(scope, id, { topicName, enforceSSL: true });
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications hold no confidential data, and CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key.',
  });
  return topic;
}
