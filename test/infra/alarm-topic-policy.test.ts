import { beforeAll, describe, expect, it } from 'vitest';
import { type GumshoeTemplates, resourcesOf, synthGumshoe } from './synth-gumshoe';

type Statement = {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type TopicRef = { stack: keyof GumshoeTemplates; id: string };

let templates: GumshoeTemplates;
beforeAll(() => {
  templates = synthGumshoe();
}, 180_000);

/** The topic an alarm action points at: a Ref in its own stack, or an ARN rebuilt from the topic's name. */
function topicOf(stack: keyof GumshoeTemplates, action: unknown): TopicRef {
  const ref = (action as { Ref?: string }).Ref;
  if (ref) return { stack, id: ref };
  const parts = (action as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1] ?? [];
  const last = parts.at(-1);
  const name = typeof last === 'string' ? last.split(':').at(-1) : undefined;
  for (const key of ['conference', 'bot'] as const) {
    for (const [id, r] of Object.entries(resourcesOf(templates[key])))
      if (r.Type === 'AWS::SNS::Topic' && r.Properties?.TopicName === name) return { stack: key, id };
  }
  throw new Error(`alarm action ${JSON.stringify(action)} names no topic of the app`);
}

function alarmTargets(): { alarm: string; topic: TopicRef }[] {
  return (['conference', 'bot'] as const).flatMap((stack) =>
    Object.values(resourcesOf(templates[stack]))
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap((r) => {
        const p = r.Properties ?? {};
        const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap(
          (k) => (p[k] as unknown[] | undefined) ?? [],
        );
        return actions.map((a) => ({ alarm: String(p.AlarmName), topic: topicOf(stack, a) }));
      }),
  );
}

function topicPolicy(topic: TopicRef): Statement[] {
  const policies = Object.values(resourcesOf(templates[topic.stack])).filter(
    (r) =>
      r.Type === 'AWS::SNS::TopicPolicy' &&
      JSON.stringify(r.Properties?.Topics) === JSON.stringify([{ Ref: topic.id }]),
  );
  expect(policies).toHaveLength(1);
  const document = policies[0]?.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
  return document?.Statement ?? [];
}

describe('alarm topic policy', () => {
  it('covers every topic a CloudWatch alarm of either stack publishes to', () => {
    const targets = alarmTargets();
    // Every conference alarm, and the bot's alarm-DLQ alarm, publish ALARM (and OK) somewhere.
    expect(targets.map((t) => t.alarm)).toContain('gumshoe-alarm-dlq-not-empty');
    expect(new Set(targets.map((t) => t.topic.id)).size).toBeGreaterThan(0);
  });

  it('lets CloudWatch alarms of this account and region publish, and no other source', () => {
    for (const { topic } of alarmTargets()) {
      const allows = topicPolicy(topic).filter(
        (s) =>
          s.Effect === 'Allow' &&
          JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }) &&
          [s.Action].flat().includes('sns:Publish'),
      );
      expect(allows).toEqual([
        expect.objectContaining({
          Resource: { Ref: topic.id },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudwatch:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':alarm:*',
                  ],
                ],
              },
            },
          },
        }),
      ]);
    }
  });

  it('still refuses every request not made over TLS', () => {
    for (const { topic } of alarmTargets()) {
      expect(topicPolicy(topic)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('grants nothing to any other principal', () => {
    for (const { topic } of alarmTargets()) {
      const others = topicPolicy(topic).filter(
        (s) =>
          s.Effect === 'Allow' &&
          JSON.stringify(s.Principal) !== JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
      );
      expect(others).toEqual([]);
    }
  });
});
