import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { CfnTransactionSearchConfig } from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { XRAY_OTLP_IAM_ACTIONS } from '../../../src/conference-app/observability/tracing/xray-otlp-exporter';
import type { GumshoeFunction } from './gumshoe-function';

/** Lets a function send its OpenTelemetry spans to X-Ray's OTLP endpoint. */
export function allowSpanExport(fn: GumshoeFunction): void {
  fn.fn.addToRolePolicy(new PolicyStatement({ actions: [...XRAY_OTLP_IAM_ACTIONS], resources: ['*'] }));
}

/** The CloudWatch Logs groups X-Ray writes spans to once Transaction Search is on. */
export const SPAN_LOG_GROUPS = ['aws/spans', '/aws/application-signals/data'] as const;

/**
 * Turns on X-Ray Transaction Search for the account and region, which X-Ray's OTLP endpoint
 * requires: spans land in the `aws/spans` log group (X-Ray may write there, from this account
 * only) and a share of them is indexed as X-Ray traces (1 %, the part without indexing charges).
 */
export class TransactionSearch extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const policy = new CfnResourcePolicy(this, 'SpansLogPolicy', {
      policyName: 'gumshoe-xray-transaction-search',
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TransactionSearchXRayAccess',
            Effect: 'Allow',
            Principal: { Service: 'xray.amazonaws.com' },
            Action: 'logs:PutLogEvents',
            Resource: SPAN_LOG_GROUPS.map(
              (group) => `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${group}:*`,
            ),
            Condition: {
              ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:xray:${stack.region}:${stack.account}:*` },
              StringEquals: { 'aws:SourceAccount': stack.account },
            },
          },
        ],
      }),
    });
    const config = new CfnTransactionSearchConfig(this, 'Config', { indexingPercentage: 1 });
    config.addDependency(policy);
  }
}
