import { fileURLToPath } from 'node:url';

/** The stub module every {@link LAMBDA_TRIMMED_PACKAGES} entry resolves to in a Lambda bundle. */
export const UNBUNDLED_ON_LAMBDA_STUB = fileURLToPath(new URL('./unbundled-on-lambda.cjs', import.meta.url));

/**
 * Packages left out of every Lambda bundle. Bolt's CommonJS index requires all its receivers, so
 * esbuild cannot tree-shake the Express, HTTP and Socket Mode ones; these are what they pull in
 * (express with body-parser, iconv-lite and mime-db; @slack/socket-mode with ws and undici;
 * raw-body, also used by HTTPModuleFunctions for plain node:http servers; @slack/oauth with
 * jsonwebtoken, whose load-time semver checks alone cost about 10 ms, for OAuth installs).
 * AwsLambdaReceiver with a bot token uses none of them.
 */
export const LAMBDA_TRIMMED_PACKAGES = ['express', 'raw-body', '@slack/socket-mode', '@slack/oauth'] as const;

/**
 * Package entry fields, ESM first: the AWS SDK's `module` build tree-shakes (a Lambda client
 * bundle is about a third smaller and imports about a third faster than from its CommonJS `main`).
 * CDK sets the same list through NodejsFunction `bundling.mainFields`.
 */
export const LAMBDA_MAIN_FIELDS = ['module', 'main'] as const;

/** esbuild `alias` option for Lambda bundles: each trimmed package to the throwing stub. */
export function lambdaEsbuildAlias(): Record<string, string> {
  return Object.fromEntries(LAMBDA_TRIMMED_PACKAGES.map((name) => [name, UNBUNDLED_ON_LAMBDA_STUB]));
}

/**
 * Minified bundles keep class and function names: errors take their `name` from their class
 * (`ConferenceError` uses `new.target.name`), and the logged `exception.name` is what /trace, the
 * dashboard and every Logs Insights query on it read. Without it AWS logs `"name":"Ep"`.
 * CDK sets the same through NodejsFunction `bundling.keepNames`.
 */
export const LAMBDA_KEEP_NAMES = true;

/** The esbuild options every Lambda bundle shares (local runner and bench; CDK gets the same via its props). */
export function lambdaEsbuildOptions(): {
  alias: Record<string, string>;
  mainFields: string[];
  keepNames: boolean;
} {
  return { alias: lambdaEsbuildAlias(), mainFields: [...LAMBDA_MAIN_FIELDS], keepNames: LAMBDA_KEEP_NAMES };
}

/** The same aliases as CDK NodejsFunction `bundling.esbuildArgs` (rendered as `--alias:<pkg>=<stub>`). */
export function lambdaEsbuildArgs(): Record<string, string[]> {
  return {
    '--alias': Object.entries(lambdaEsbuildAlias()).map(([name, stub]) => `${name}=${stub}`),
  };
}
