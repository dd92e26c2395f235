import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlowEnvironment, readFlowConfigFile } from '../../../src/bot/flow-config-file';
import {
  FLOW_CONFIG_SCHEMA_PATH,
  flowConfigJsonSchema,
} from '../../../src/commands/flows/flow-config-schema';
import { FlowConfigError, parseFlowConfig } from '../../../src/commands/flows/flow-set';
import { LOG_FIELD_PRESETS } from '../../../src/commands/flows/log-fields';
import { CONFERENCE_CONFIG_FILE, conferenceFlow, conferenceFlows } from '../../fixtures/flows/conference';

const dir = await mkdtemp(join(tmpdir(), 'gumshoe-flows-'));
async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
function failure(run: () => unknown): FlowConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowConfigError) return error;
    throw error;
  }
  throw new Error('expected a FlowConfigError');
}

const orders = {
  logFormat: 'powertools',
  flows: [
    {
      name: 'orders',
      businessIds: ['orderId'],
      milestones: [
        { name: 'ORDER_RECEIVED', function: 'orders-api' },
        { name: 'PAYMENT_CAPTURED', function: 'orders-payment', after: 'ORDER_RECEIVED' },
      ],
    },
  ],
};

describe('the example conference config', () => {
  it('describes the conference flow with its five log groups and the seed lead-time pair', () => {
    expect(conferenceFlow.name).toBe('session');
    expect(conferenceFlow.fields).toEqual(LOG_FIELD_PRESETS.gumshoe);
    expect(conferenceFlow.milestones.map((m) => [m.name, m.after])).toEqual([
      ['CREATE_REQUEST_RECEIVED', []],
      ['SAVED_IN_DATABASE', ['CREATE_REQUEST_RECEIVED']],
      ['SLACK_NOTIFICATION_NEW_SESSION_SENT', ['SAVED_IN_DATABASE']],
      ['SESSION_FORWARDED', ['SAVED_IN_DATABASE']],
    ]);
    expect(conferenceFlow.leadTimes[0]).toEqual({
      from: 'CREATE_REQUEST_RECEIVED',
      to: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
    });
    expect(conferenceFlows.logGroups.names).toHaveLength(5);
    expect(conferenceFlows.source).toBe(CONFERENCE_CONFIG_FILE);
  });
});

describe('parseFlowConfig', () => {
  it('takes Powertools field names from the preset, the default pair first to last, and groups from functions', () => {
    const set = parseFlowConfig(orders, 'orders.json');
    const flow = set.flows[0];
    expect(flow?.fields.correlation).toBe('correlation_id');
    expect(flow?.fields.exceptionName).toBe('error.name');
    expect(flow?.leadTimes).toEqual([{ from: 'ORDER_RECEIVED', to: 'PAYMENT_CAPTURED' }]);
    expect(set.logGroups.names).toEqual(['/aws/lambda/orders-api', '/aws/lambda/orders-payment']);
  });

  it('lets a flow override single fields and its correlation field', () => {
    const set = parseFlowConfig(
      {
        ...orders,
        flows: [{ ...orders.flows[0], correlation: 'requestChainId', fields: { milestone: 'step' } }],
      },
      'x.yaml',
    );
    expect(set.flows[0]?.fields).toMatchObject({
      correlation: 'requestChainId',
      milestone: 'step',
      level: 'level',
    });
  });

  it('names the file, the path and the expected shape of every problem, and loads nothing', () => {
    const bad = {
      flows: [
        {
          name: 'Orders!',
          businessIds: [],
          milestones: [
            { name: 'A', function: 'f' },
            { name: 'B', after: 'C' },
          ],
          leadTime: [{ from: 'A', to: 'Z' }],
          colour: 'red',
        },
      ],
    };
    const error = failure(() => parseFlowConfig(bad, 'gumshoe.yaml'));
    expect(error.message).toContain('gumshoe.yaml: flows[0].name: a flow name such as orders');
    expect(error.message).toContain('gumshoe.yaml: flows[0].businessIds: at least one business id field');
    expect(error.message).toContain(
      'gumshoe.yaml: flows[0]: unknown key "colour"; expected one of name, description, businessIds, correlation, logFormat, fields, milestones, leadTime, logGroups',
    );
    const graph = failure(() =>
      parseFlowConfig(
        { flows: [{ ...bad.flows[0], name: 'o', businessIds: ['id'], colour: undefined }] },
        'g.yaml',
      ),
    );
    expect(graph.message).toContain(
      'g.yaml: flows[0].milestones[1].after: expected a milestone listed before B (A), got C',
    );
    expect(graph.message).toContain('g.yaml: flows[0].leadTime[0].to: expected one of this flow');
  });

  it('says what shape a mistyped `after` and a misspelt key take, at any depth', () => {
    const error = failure(() =>
      parseFlowConfig(
        {
          flow: [],
          flows: [{ name: 'o', businessIds: ['id'], milestones: [{ name: 'A', after: 7, funtion: 'f' }] }],
        },
        'g.yaml',
      ),
    );

    expect(error.message).toContain(
      'g.yaml: flows[0].milestones[0].after: a milestone listed before this one (ORDER_RECEIVED), or a list of them ([A, B])',
    );
    expect(error.message).toContain(
      'g.yaml: flows[0].milestones[0]: unknown key "funtion"; expected one of name, function, logGroup, after, optional',
    );
    expect(error.message).toContain(
      'g.yaml: (top level): unknown key "flow"; expected one of $schema, version, logFormat, fields, logGroups, flows',
    );
  });

  it('refuses a field name that could change a query', () => {
    const error = failure(() =>
      parseFlowConfig(
        { ...orders, flows: [{ ...orders.flows[0], businessIds: ['orderId = "x" or 1'] }] },
        'q.json',
      ),
    );
    expect(error.message).toContain('q.json: flows[0].businessIds[0]: a log field name');
  });
});

describe('readFlowConfigFile', () => {
  it('reads YAML and JSON alike', async () => {
    const yaml = await file(
      'orders.yaml',
      'logFormat: powertools\nflows:\n  - name: orders\n    businessIds: [orderId]\n    milestones:\n      - name: ORDER_RECEIVED\n',
    );
    const json = await file('orders.json', JSON.stringify(orders));
    expect(readFlowConfigFile(yaml).flows[0]?.name).toBe('orders');
    expect(readFlowConfigFile(json).flows[0]?.milestones).toHaveLength(2);
  });

  it('says which file is not YAML or JSON, and which cannot be read', async () => {
    const yaml = await file('broken.yaml', 'flows: [\n  name: x');
    expect(failure(() => readFlowConfigFile(yaml)).message).toMatch(/broken\.yaml: not valid YAML/);
    const json = await file('broken.json', '{"flows": [}');
    expect(failure(() => readFlowConfigFile(json)).message).toMatch(/broken\.json: not valid JSON/);
    expect(failure(() => readFlowConfigFile(join(dir, 'missing.yaml'))).message).toContain(
      'missing.yaml: cannot read',
    );
  });
});

describe('loadFlowEnvironment', () => {
  it('means no config when GUMSHOE_CONFIG is unset or empty, and /aws/lambda/ by default', () => {
    expect(loadFlowEnvironment({})).toEqual({ flows: undefined, logGroupPrefix: '/aws/lambda/' });
    expect(
      loadFlowEnvironment({ GUMSHOE_CONFIG: '', GUMSHOE_LOG_GROUP_PREFIX: '/aws/lambda/orders-' }),
    ).toEqual({
      flows: undefined,
      logGroupPrefix: '/aws/lambda/orders-',
    });
  });

  it('loads the file GUMSHOE_CONFIG names, and refuses a prefix that is no log group name', () => {
    expect(loadFlowEnvironment({ GUMSHOE_CONFIG: CONFERENCE_CONFIG_FILE }).flows?.flows[0]?.name).toBe(
      'session',
    );
    expect(failure(() => loadFlowEnvironment({ GUMSHOE_LOG_GROUP_PREFIX: '/aws/"x' })).message).toContain(
      'GUMSHOE_LOG_GROUP_PREFIX: expected a log group name prefix',
    );
  });
});

describe('the JSON Schema for editors', () => {
  it('is committed in sync with the zod schema (run npm run flows:schema after changing it)', async () => {
    // Compared as JSON: the formatter may lay the committed file out differently.
    expect(JSON.parse(await readFile(FLOW_CONFIG_SCHEMA_PATH, 'utf8'))).toEqual(
      JSON.parse(flowConfigJsonSchema()),
    );
  });
});
