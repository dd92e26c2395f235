/**
 * Runs the local AWS endpoint on its own (`npx tsx src/local/aws/serve.ts`), for the AWS CLI or
 * a script: port from LOCAL_AWS_PORT (4566), data folder from GUMSHOE_DATA_DIR (`.gumshoe`).
 */
import { startLocalAws } from './index';

const aws = await startLocalAws({ dataDir: process.env.GUMSHOE_DATA_DIR ?? '.gumshoe' });
process.stdout.write(`local AWS endpoint on ${aws.url} (CloudWatch Logs, DynamoDB, DynamoDB Streams, SQS)\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void aws.close().then(() => process.exit(0));
  });
}
