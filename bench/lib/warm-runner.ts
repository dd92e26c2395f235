/**
 * Child process of the warm request-path benchmark (bundled, one fresh `node` per variant and
 * round): loads one handler bundle, warms it up, then times each signed `/trace` request from the
 * handler call to its HTTP response, and prints the samples as one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchLambdaContext, signedSlashCommandEvent } from './slack-request';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const [bundlePath, requestsArg, warmupArg, dispatchArg] = process.argv.slice(2);
if (!bundlePath)
  throw new Error('usage: warm-runner <bundle.mjs> <requests> <warmup> [measure-dispatch 0|1]');
const requests = Number(requestsArg ?? 2000);
const warmup = Number(warmupArg ?? 50);
const measureDispatch = dispatchArg === '1';
const signingSecret = process.env.SLACK_SIGNING_SECRET ?? '';

const { handler } = (await import(pathToFileURL(bundlePath).href)) as { handler: Handler };

async function once(): Promise<number> {
  // Built outside the timed span: Slack's signing is not part of the handler's cost.
  const event = signedSlashCommandEvent({ signingSecret, command: '/trace', text: randomUUID() });
  const context = benchLambdaContext();
  const started = performance.now();
  const response = await handler(event, context);
  const elapsed = performance.now() - started;
  // A fast wrong answer (401, a refusal, a dispatch failure) must not count as a result.
  if (response.statusCode !== 200 || !(response.body ?? '').includes('Investigating')) {
    throw new Error(`unexpected response ${response.statusCode}: ${(response.body ?? '').slice(0, 200)}`);
  }
  return elapsed;
}

/**
 * The dispatch alone: the same SDK's async Invoke against the same stand-in, outside Bolt, timed
 * right after each request so both see the same machine load. Loaded only when asked for, so
 * the baseline's process holds no SDK.
 */
async function dispatchProbe(): Promise<() => Promise<number>> {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region: process.env.AWS_REGION ?? 'eu-west-1' });
  const payload = new TextEncoder().encode(JSON.stringify({ job: { kind: 'probe' }, reply: {} }));
  return async () => {
    const command = new InvokeCommand({
      FunctionName: process.env.GUMSHOE_WORKER_FUNCTION ?? 'bench-worker',
      InvocationType: 'Event',
      Payload: payload,
    });
    const started = performance.now();
    await client.send(command);
    return performance.now() - started;
  };
}

const dispatch = measureDispatch ? await dispatchProbe() : undefined;
for (let i = 0; i < warmup; i += 1) {
  await once();
  await dispatch?.();
}
const samples: number[] = [];
const dispatchMs: number[] = [];
for (let i = 0; i < requests; i += 1) {
  samples.push(await once());
  if (dispatch) dispatchMs.push(await dispatch());
}

process.stdout.write(`${JSON.stringify({ samples, dispatchMs })}\n`);
process.exit(0);
