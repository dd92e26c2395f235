// Adds aws-sdk-client-mock matchers (toHaveReceivedCommandWith …) to vitest's expect.
import 'aws-sdk-client-mock-vitest/extend';

// Tests never reach AWS: the SDK must not look for credentials on an instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
