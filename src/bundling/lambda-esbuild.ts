import { fileURLToPath } from 'node:url';

/** The stub module every {@link LAMBDA_TRIMMED_PACKAGES} entry resolves to in a Lambda bundle. */
export const UNBUNDLED_ON_LAMBDA_STUB = fileURLToPath(new URL('./unbundled-on-lambda.cjs', import.meta.url));

/**
 * Packages left out of every Lambda bundle. Bolt's CommonJS index requires all its receivers, so
 * esbuild cannot tree-shake the Express and Socket Mode ones; these are what they pull in (express
 * with body-parser, iconv-lite and mime-db; @slack/socket-mode with ws and undici; raw-body, also
 * used by HTTPModuleFunctions for plain node:http servers). AwsLambdaReceiver uses none of them.
 */
export const LAMBDA_TRIMMED_PACKAGES = ['express', 'raw-body', '@slack/socket-mode'] as const;

/** esbuild `alias` option for Lambda bundles: each trimmed package to the throwing stub. */
export function lambdaEsbuildAlias(): Record<string, string> {
  return Object.fromEntries(LAMBDA_TRIMMED_PACKAGES.map((name) => [name, UNBUNDLED_ON_LAMBDA_STUB]));
}

/** The same aliases as CDK NodejsFunction `bundling.esbuildArgs` (rendered as `--alias:<pkg>=<stub>`). */
export function lambdaEsbuildArgs(): Record<string, string[]> {
  return {
    '--alias': Object.entries(lambdaEsbuildAlias()).map(([name, stub]) => `${name}=${stub}`),
  };
}
