import * as z from 'zod';
import { GumshoeConfigFile } from './flow-config';

/** Where the JSON Schema of the config file is committed (editors point `$schema` at it). */
export const FLOW_CONFIG_SCHEMA_PATH = 'schema/gumshoe-config.schema.json';

/** The JSON Schema of the config file, as editors read it (the input shape: defaults optional). */
export function flowConfigJsonSchema(): string {
  const schema = z.toJSONSchema(GumshoeConfigFile, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'Gumshoe flow configuration (GUMSHOE_CONFIG)' }, null, 2)}\n`;
}
