import { AwsServiceError } from '../errors';

// What every CloudWatch Logs operation of the local endpoint answers bad input and missing groups with.

export const INVALID = 'InvalidParameterException';

export function notFound(message: string, cause?: unknown): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message, cause === undefined ? {} : { cause });
}

/** Accepts a name or an ARN (`arn:aws:logs:r:acct:log-group:NAME[:*]`). */
export function groupFromIdentifier(identifier: string): string {
  const match = /^arn:aws[\w-]*:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(identifier);
  return match ? (match[1] as string) : identifier;
}
