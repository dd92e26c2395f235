import type { z } from 'zod';
import { AwsServiceError, type AwsServiceErrorOptions } from './errors';

/**
 * Parses an operation's input with zod; a failure becomes the service's own validation error
 * (`InvalidParameterException` for Logs, `ValidationException` for DynamoDB …) naming the path.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  errorCode: string,
  options: Omit<AwsServiceErrorOptions, 'cause'> = {},
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const detail = issues
    .map(
      (issue) =>
        `Value at '${issue.path.join('.') || '(root)'}' failed to satisfy constraint: ${issue.message}`,
    )
    .join('; ');
  throw new AwsServiceError(
    errorCode,
    `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${detail}`,
    {
      ...options,
      cause: result.error,
    },
  );
}
