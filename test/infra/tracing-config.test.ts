import { describe, expect, it } from 'vitest';
import { InfraConfigError, readConfig } from '../../infra/lib/config';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readConfig (tracing)', () => {
  it('turns Transaction Search on by default and off with -c transactionSearch=false', () => {
    expect(readConfig(context({ channelId: 'C0123ABCD' })).transactionSearch).toBe(true);
    expect(
      readConfig(context({ channelId: 'C0123ABCD', transactionSearch: 'false' })).transactionSearch,
    ).toBe(false);
  });

  it('refuses the retired adotLayerArn with a clear error instead of ignoring it', () => {
    const read = () =>
      readConfig(
        context({
          channelId: 'C0123ABCD',
          adotLayerArn: 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-nodejs-arm64-ver-1-30-2:1',
        }),
      );

    expect(read).toThrow(InfraConfigError);
    expect(read).toThrow(/adotLayerArn is no longer used/);
  });
});
