import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig } from './helpers';

describe('local Secrets Manager', () => {
  let aws: LocalAws;
  let secrets: SecretsManagerClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    secrets = new SecretsManagerClient(clientConfig(aws.url));
  });
  afterAll(async () => {
    secrets.destroy();
    await aws.close();
  });

  it('stores a secret, reads it by name and by ARN, and reads the new value after PutSecretValue', async () => {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: 'gumshoe/slack', SecretString: '{"a":1}' }),
    );
    await secrets.send(new PutSecretValueCommand({ SecretId: 'gumshoe/slack', SecretString: '{"a":2}' }));

    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: created.ARN }));

    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:gumshoe\/slack-[0-9a-f]{6}$/,
    );
    expect(byArn.SecretString).toBe('{"a":2}');
    expect(byArn.VersionStages).toEqual(['AWSCURRENT']);
  });

  it('answers ResourceNotFoundException for an unknown secret or one without a value, ResourceExistsException for a second create', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'conference/slack-webhook' }));

    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: 'conference/slack-webhook' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      secrets.send(new CreateSecretCommand({ Name: 'conference/slack-webhook' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
  });
});
