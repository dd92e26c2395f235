import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogGroupCatalog } from '../src/aws/cloudwatch-log-groups';
import { CloudWatchLogSearch } from '../src/aws/cloudwatch-log-search';
import { loadFlowEnvironment } from '../src/bot/flow-config-file';
import { GumshoeError } from '../src/commands/errors';
import { formatLearnedFlow, learnedConfigYaml } from '../src/commands/flows/flows-view';
import { learnFlows } from '../src/commands/flows/learn-flows';
import { resolveLogGroupNames } from '../src/commands/flows/log-groups';
import { parseTimeWindow, windowEndingAt } from '../src/commands/time-window';

// `npm run flows -- [--window 24h] [--prefix /aws/lambda/orders-] [--log-group NAME ...] [--config FILE]`:
// learns each flow from the logs (AWS, or the local stack with AWS_ENDPOINT_URL) and prints a ready config.
const { values } = parseArgs({
  options: {
    window: { type: 'string', default: '24h' },
    prefix: { type: 'string' },
    'log-group': { type: 'string', multiple: true },
    config: { type: 'string' },
  },
});
try {
  const env = loadFlowEnvironment({
    ...process.env,
    ...(values.config ? { GUMSHOE_CONFIG: values.config } : {}),
  });
  const client = new CloudWatchLogsClient({});
  const names = values['log-group'] ?? [];
  const selection =
    env.flows && names.length === 0 && !values.prefix
      ? env.flows.logGroups
      : { names, prefixes: names.length > 0 && !values.prefix ? [] : [values.prefix ?? env.logGroupPrefix] };
  const logGroupNames = await resolveLogGroupNames(selection, new CloudWatchLogGroupCatalog(client));
  const spec = parseTimeWindow(values.window);
  const now = new Date();
  const report = await learnFlows(
    new CloudWatchLogSearch(client, { deadlineMs: 120_000 }),
    { logGroupNames, window: { ...windowEndingAt(spec, now), label: spec.label } },
    env.flows,
    now,
  );
  console.error(`Learned from ${logGroupNames.length} log group(s) over the last ${spec.label}:`);
  for (const flow of report.flows) {
    console.error(`\n${flow.name}: ${flow.traces} complete trace(s), correlation ${flow.fields.correlation}`);
    console.error(formatLearnedFlow(flow));
  }
  if (report.flows.length === 0) console.error('No complete trace with milestones found.');
  else console.log(`\n${learnedConfigYaml(report.flows)}`);
  client.destroy();
} catch (error) {
  console.error(error instanceof GumshoeError ? error.userMessage : error);
  process.exit(1);
}
