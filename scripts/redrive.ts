import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ResourceNames } from '../src/topology';
import { type RedriveClients, type RedriveOutcome, redriveStreamFailures } from './lib/stream-redrive';

const USAGE = `Usage: npm run redrive -- [--queue ${ResourceNames.streamDeadLetterQueue}] [--function <name>] [--max 100] [--dry-run]
  --queue     the stream failure destination: a queue name or URL (default: the sessions stream's)
  --function  invoke this function instead of the one each failure record names
  --max       at most this many failure records in one run (default 100)
  --dry-run   read the batches back from the stream and count them; invoke and delete nothing
Uses the default AWS credentials chain and region; AWS_ENDPOINT_URL points it at the local stack.
Stream records live 24 h: a batch older than that is reported as expired and left in the queue.`;

/** The re-drive's command line, validated. */
export const RedriveArgs = z.object({
  queue: z.string().min(1).default(ResourceNames.streamDeadLetterQueue),
  function: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,170}$/)
    .optional(),
  max: z.coerce.number().int().positive().max(10_000).default(100),
  'dry-run': z.boolean().default(false),
});
export type RedriveArgs = z.infer<typeof RedriveArgs>;

/** Parses `argv` (without node and the script); throws a message naming the bad flag. */
export function parseRedriveArgs(argv: string[]): RedriveArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      queue: { type: 'string' },
      function: { type: 'string' },
      max: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
  });
  const parsed = RedriveArgs.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${String(issue?.path[0] ?? 'args')}: ${issue?.message ?? 'invalid'}\n${USAGE}`);
  }
  return parsed.data;
}

/** One line per failure record, then the totals. */
export function formatOutcomes(outcomes: readonly RedriveOutcome[]): string[] {
  const lines = outcomes.map(
    (o) =>
      `${o.result.padEnd(10)} ${o.records} record(s)${o.functionName ? ` → ${o.functionName}` : ''} (message ${o.messageId})${o.detail ? `: ${o.detail}` : ''}`,
  );
  const count = (result: RedriveOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  lines.push(
    outcomes.length === 0
      ? 'The failure destination is empty: nothing to re-drive.'
      : `${count('redriven')} re-driven, ${count('failed')} failed again, ${count('expired')} expired, ${count('unreadable')} unreadable${count('dry-run') ? `, ${count('dry-run')} read (dry run)` : ''}; what was not re-driven stays in the queue.`,
  );
  return lines;
}

/** Runs the re-drive from a command line; resolves to the exit code (0 all re-driven, 1 some left, 2 usage). */
export async function redriveCli(
  argv: string[],
  clients: RedriveClients,
  out: (line: string) => void = console.log,
): Promise<number> {
  let args: RedriveArgs;
  try {
    args = parseRedriveArgs(argv);
  } catch (error) {
    out((error as Error).message);
    return 2;
  }
  const queueUrl = /^https?:\/\//.test(args.queue)
    ? args.queue
    : (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: args.queue }))).QueueUrl;
  if (!queueUrl) throw new Error(`no queue ${args.queue}`);
  out(`Re-driving ${queueUrl}${args['dry-run'] ? ' (dry run)' : ''}`);
  const outcomes = await redriveStreamFailures(clients, {
    queueUrl,
    max: args.max,
    dryRun: args['dry-run'],
    ...(args.function ? { functionName: args.function } : {}),
  });
  for (const line of formatOutcomes(outcomes)) out(line);
  return outcomes.every((o) => o.result === 'redriven' || o.result === 'dry-run') ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const clients = {
    sqs: new SQSClient({}),
    streams: new DynamoDBStreamsClient({}),
    lambda: new LambdaClient({}),
  };
  try {
    process.exitCode = await redriveCli(process.argv.slice(2), clients);
  } catch (error) {
    console.error(`redrive failed: ${(error as Error).name}: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}
