import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// zod/mini: the Slack handler reads its secrets on the first event, where load time counts.
import * as z from 'zod/mini';
// Imported by name: `z.core.$ZodError` would keep all of zod core and its locales in the bundle.
import { $ZodError } from 'zod/v4/core';
import { BotConfigError } from './errors';

/** The Slack credentials; never logged. */
export interface SlackSecrets {
  botToken: string;
  signingSecret: string;
}

const SecretJson = z.object({
  botToken: z.string().check(z.minLength(1)),
  signingSecret: z.string().check(z.minLength(1)),
});

/** The Secrets Manager SDK module, handed to the client factory once it is loaded. */
export type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');

/**
 * Returns a loader that reads the Slack credentials once per environment: from Secrets Manager when
 * SLACK_SECRET_ARN is set (JSON {botToken, signingSecret}), else from SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET.
 */
export function createSlackSecretsLoader(
  env: NodeJS.ProcessEnv,
  secretsManager: (sdk: SecretsManagerSdk) => SecretsManagerClient,
): () => Promise<SlackSecrets> {
  let cached: Promise<SlackSecrets> | undefined;
  const load = async (): Promise<SlackSecrets> => {
    const arn = env.SLACK_SECRET_ARN;
    if (arn) {
      let raw: string | undefined;
      try {
        // Imported only here: without an ARN (tokens in the environment) the SDK is never loaded,
        // which keeps it out of the Slack handler's cold start.
        const sdk = await import('@aws-sdk/client-secrets-manager');
        raw = (await secretsManager(sdk).send(new sdk.GetSecretValueCommand({ SecretId: arn }))).SecretString;
      } catch (error) {
        throw new BotConfigError('could not read the Slack secret from Secrets Manager', { cause: error });
      }
      try {
        return SecretJson.parse(JSON.parse(raw ?? ''));
      } catch (error) {
        // The parse error may quote the secret; keep only its shape in the message.
        throw new BotConfigError('the Slack secret is not JSON {botToken, signingSecret}', {
          cause:
            error instanceof $ZodError
              ? new Error(error.issues.map((i) => i.path.join('.')).join(','))
              : undefined,
        });
      }
    }
    const fromEnv = SecretJson.safeParse({
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
    });
    if (!fromEnv.success) {
      throw new BotConfigError('set SLACK_SECRET_ARN, or both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    }
    return fromEnv.data;
  };
  return () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined; // a transient failure must not poison the environment
      throw error;
    });
    return cached;
  };
}
