import { writeFileSync } from 'node:fs';
import { FLOW_CONFIG_SCHEMA_PATH, flowConfigJsonSchema } from '../src/commands/flows/flow-config-schema';

// `npm run flows:schema`: writes the config's JSON Schema for editors (a test keeps it in sync).
writeFileSync(FLOW_CONFIG_SCHEMA_PATH, flowConfigJsonSchema());
console.log(`wrote ${FLOW_CONFIG_SCHEMA_PATH}`);
