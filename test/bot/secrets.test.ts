import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BotConfigError } from '../../src/bot/errors';
import { createSlackSecretsLoader } from '../../src/bot/secrets';

const secretsManager = mockClient(SecretsManagerClient);

describe('createSlackSecretsLoader', () => {
  afterEach(() => secretsManager.reset());

  it('reads the env values locally', async () => {
    const load = createSlackSecretsLoader(
      { SLACK_BOT_TOKEN: 'xoxb-local-token', SLACK_SIGNING_SECRET: 's' },
      () => {
        throw new Error('Secrets Manager must not be called');
      },
    );
    await expect(load()).resolves.toEqual({ botToken: 'xoxb-local-token', signingSecret: 's' });
  });

  it('reads Secrets Manager once per environment when SLACK_SECRET_ARN is set', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ botToken: 'xoxb-1', signingSecret: 'sig' }) });
    const load = createSlackSecretsLoader(
      { SLACK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:slack' },
      () => new SecretsManagerClient({}),
    );
    await load();
    await expect(load()).resolves.toEqual({ botToken: 'xoxb-1', signingSecret: 'sig' });
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('refuses a malformed secret without quoting it', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ botToken: 'xoxb-secret-value' }) });
    const load = createSlackSecretsLoader({ SLACK_SECRET_ARN: 'arn' }, () => new SecretsManagerClient({}));
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotConfigError);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('xoxb-secret-value');
  });

  it('says what to set when nothing is configured', async () => {
    await expect(createSlackSecretsLoader({}, () => new SecretsManagerClient({}))()).rejects.toThrow(
      /SLACK_SECRET_ARN/,
    );
  });
});
