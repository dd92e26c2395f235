import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from './config';

const WebhookUrl = z.url().startsWith('https://', 'the webhook secret must hold an https URL');

/**
 * Reads the Slack incoming-webhook URL from Secrets Manager once per environment. The secret holds the
 * URL as its plain SecretString; its value never appears in an error or a log line.
 */
export async function readWebhookUrlSecret(client: SecretsManagerClient, secretArn: string): Promise<string> {
  let secret: string | undefined;
  try {
    secret = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new ConfigError(`could not read the webhook secret ${secretArn}`, { cause: error });
  }
  const parsed = WebhookUrl.safeParse(secret?.trim());
  if (!parsed.success) {
    throw new ConfigError(
      `the webhook secret ${secretArn} does not hold an https URL; store the webhook URL in it`,
    );
  }
  return parsed.data;
}
