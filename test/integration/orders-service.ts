import { fileURLToPath } from 'node:url';
import type { LocalFunctionSpec } from '../../src/local/runner';
import { OrderFunctions } from '../../src/orders-app/order-flow';

/** A path in the repository. */
export const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const ENTRIES: Record<string, string> = {
  [OrderFunctions.placeOrder]: 'place-order',
  [OrderFunctions.chargePayment]: 'charge-payment',
  [OrderFunctions.packOrder]: 'pack-order',
  [OrderFunctions.emailConfirmation]: 'email-confirmation',
};

/** The orders sample service's functions, in flow order. */
export const orderFunctions = Object.values(OrderFunctions);

/** The orders service as extra functions of the local stack (the second watched service of issue 10). */
export const orderFunctionSpecs = (): LocalFunctionSpec[] =>
  orderFunctions.map((name) => ({
    name,
    entry: repoPath(`src/orders-app/handlers/${ENTRIES[name]}.ts`),
    memoryMb: 256,
    timeoutMs: 10_000,
    tracing: true,
  }));
