import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AwsServiceError } from '../errors';
import type { JsonServiceDefinition, RequestContext } from '../registry';
import { parseInput } from '../validate';

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  value: string | undefined;
  versionId: string | undefined;
}

const CreateSecretInput = z.object({
  Name: z.string().regex(/^[\w/+=.@-]{1,512}$/),
  Description: z.string().optional(),
  SecretString: z.string().max(65_536).optional(),
});
const SecretIdInput = z.object({ SecretId: z.string().min(1).max(2048) });
const PutSecretValueInput = SecretIdInput.extend({ SecretString: z.string().max(65_536) });

/**
 * The local Secrets Manager (awsJson1_1): CreateSecret, PutSecretValue and GetSecretValue on
 * plain-string secrets, found by name or ARN. The deployed bundles read their secrets through it
 * by the ARN their template gives them; values live in memory only.
 */
export function createSecretsManagerService(): JsonServiceDefinition {
  const secrets = new Map<string, StoredSecret>();
  const find = (id: string): StoredSecret => {
    const secret = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!secret)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    return secret;
  };
  const put = (secret: StoredSecret, value: string) => {
    secret.value = value;
    secret.versionId = randomUUID();
  };
  return {
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    operations: {
      CreateSecret: (input, ctx: RequestContext) => {
        const { Name, SecretString } = parseInput(CreateSecretInput, input, 'InvalidParameterException');
        if (secrets.has(Name))
          throw new AwsServiceError(
            'ResourceExistsException',
            `The operation failed because the secret ${Name} already exists.`,
          );
        // AWS appends six random characters to the name in a secret's ARN.
        const suffix = randomBytes(3).toString('hex');
        const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${Name}-${suffix}`;
        const secret: StoredSecret = { arn, name: Name, value: undefined, versionId: undefined };
        if (SecretString !== undefined) put(secret, SecretString);
        secrets.set(Name, secret);
        return { ARN: arn, Name, ...(secret.versionId ? { VersionId: secret.versionId } : {}) };
      },
      PutSecretValue: (input) => {
        const { SecretId, SecretString } = parseInput(
          PutSecretValueInput,
          input,
          'InvalidParameterException',
        );
        const secret = find(SecretId);
        put(secret, SecretString);
        return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
      },
      GetSecretValue: (input) => {
        const secret = find(parseInput(SecretIdInput, input, 'InvalidParameterException').SecretId);
        if (secret.value === undefined)
          throw new AwsServiceError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          );
        return {
          ARN: secret.arn,
          Name: secret.name,
          SecretString: secret.value,
          VersionId: secret.versionId,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        };
      },
    },
  };
}
