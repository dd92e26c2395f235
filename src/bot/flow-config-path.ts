import { isAbsolute, resolve } from 'node:path';

/**
 * Where GUMSHOE_CONFIG points. A relative path is taken from the function's code folder when it runs
 * in Lambda (`LAMBDA_TASK_ROOT`, where CDK bundles the file), else from the working directory.
 */
export function flowConfigPath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (isAbsolute(file)) return file;
  const root = env.LAMBDA_TASK_ROOT?.trim();
  return root ? resolve(root, file) : file;
}
