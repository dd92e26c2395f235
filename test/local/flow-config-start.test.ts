import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowConfigError } from '../../src/commands/flows/flow-set';
import { startLocalStack } from '../../src/local/stack';

describe('the local stack with a flow config (npm start, GUMSHOE_CONFIG)', () => {
  it('refuses a bad config before anything starts, naming the file, the path and the expected shape', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'gumshoe-config-')), 'bad.yaml');
    await writeFile(file, 'flows:\n  - name: orders\n    businessIds: [orderId]\n    milestones: []\n');

    const started = startLocalStack({
      gumshoeConfig: file,
      ports: { aws: 0, conferenceApi: 0, slack: 0, bot: 0, standIns: 0 },
    });

    await expect(started).rejects.toBeInstanceOf(FlowConfigError);
    await expect(started).rejects.toThrow(`${file}: flows[0].milestones: at least one milestone`);
  });
});
