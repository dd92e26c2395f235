import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, NotifyConfig, parseConfig } from '../../src/conference-app/handlers/config';
import { readWebhookUrlSecret } from '../../src/conference-app/handlers/webhook-secret';

// Secrets Manager has no local emulator here: its calls are faked at the SDK client.
const secrets = mockClient(SecretsManagerClient);
const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:conference/slack-webhook-AbCdEf';

describe('readWebhookUrlSecret', () => {
  beforeEach(() => secrets.reset());

  it('returns the webhook URL stored as the secret string', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: ' https://hooks.slack.com/services/T/B/x\n' });

    const url = await readWebhookUrlSecret(new SecretsManagerClient({}), arn);

    expect(url).toBe('https://hooks.slack.com/services/T/B/x');
  });

  it('refuses a secret that is not an https URL without echoing its value', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'not-a-url-but-secret' });

    const failure = readWebhookUrlSecret(new SecretsManagerClient({}), arn);

    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.not.toThrow(/not-a-url-but-secret/);
  });

  it('wraps a Secrets Manager failure in a ConfigError naming the secret', async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));

    await expect(readWebhookUrlSecret(new SecretsManagerClient({}), arn)).rejects.toThrow(arn);
  });
});

describe('NotifyConfig', () => {
  it.each([
    [{}, false],
    [{ SLACK_WEBHOOK_URL: 'http://127.0.0.1:3300/services/x' }, true],
    [{ SLACK_WEBHOOK_SECRET_ARN: arn }, true],
    [{ SLACK_WEBHOOK_URL: 'http://127.0.0.1:3300/services/x', SLACK_WEBHOOK_SECRET_ARN: arn }, false],
  ])('accepts exactly one webhook source: %j → %s', (env, ok) => {
    const parse = () => parseConfig(NotifyConfig, { DELIVERIES_TABLE_NAME: 'deliveries', ...env });
    if (ok) expect(parse).not.toThrow();
    else expect(parse).toThrow(ConfigError);
  });
});
