import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import ts from 'typescript';
import { lambdaEsbuildOptions } from '../../src/bundling/lambda-esbuild';
import { XRAY_OTLP_IAM_ACTIONS } from '../../src/conference-app/observability/tracing/xray-otlp-exporter';

// The one AWS call deployed code signs itself rather than through an SDK client: spans to X-Ray's
// OTLP endpoint (no SDK command exists for it).
const SIGNED_WITHOUT_SDK: Readonly<Record<string, readonly string[]>> = {
  'src/conference-app/observability/tracing/xray-otlp-exporter.ts': XRAY_OTLP_IAM_ACTIONS,
};

/** One AWS SDK command the deployed code of a function sends, as IAM authorizes it. */
export interface SdkCall {
  /** The IAM action, e.g. `dynamodb:GetItem`. */
  readonly action: string;
  /** Where the code builds the command (`src/aws/x.ts: GetCommand`). */
  readonly site: string;
}

/** What one function's bundle holds: its own source files and the SDK calls they make. */
export interface DeployedCode {
  readonly sources: readonly string[];
  readonly calls: readonly SdkCall[];
  /** Every string literal of its own source, for resources the code names itself (`aws/spans`). */
  readonly literals: ReadonlySet<string>;
  /** Every bundled module path (node_modules included). */
  readonly modules: readonly string[];
}

// The IAM service prefix of each SDK package the code may import.
const SERVICE_OF_PACKAGE: Readonly<Record<string, string>> = {
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-dynamodb': 'dynamodb',
  'client-dynamodb-streams': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-lambda': 'lambda',
  'client-secrets-manager': 'secretsmanager',
  'client-sns': 'sns',
  'client-sqs': 'sqs',
  'client-xray': 'xray',
};

// Where the IAM action differs from the API operation's name (Service Authorization Reference):
// the document client's commands wrap the item operations; Invoke is authorized as InvokeFunction;
// SQS batch operations are authorized by their single-message action.
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  'dynamodb:TransactGet': 'dynamodb:TransactGetItems',
  'dynamodb:TransactWrite': 'dynamodb:TransactWriteItems',
  'lambda:Invoke': 'lambda:InvokeFunction',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** The IAM action that authorizes `operation` (a command class name without `Command`) of an SDK package. */
export function iamActionOf(sdkPackage: string, operation: string): string {
  const service = SERVICE_OF_PACKAGE[sdkPackage];
  if (!service) throw new Error(`no IAM service known for @aws-sdk/${sdkPackage}`);
  const plain = `${service}:${operation}`;
  // The document client's Query and Scan keep their names; only its item commands differ.
  if (sdkPackage !== 'lib-dynamodb' && service === 'dynamodb') return plain;
  return ACTION_OF_OPERATION[plain] ?? plain;
}

/** Bundles every entry as CDK does (ESM, node22, the shared aliases) and returns each one's metafile output. */
export async function bundleEntries(
  root: string,
  entries: readonly string[],
): Promise<Map<string, Metafile>> {
  const result = new Map<string, Metafile>();
  for (const entry of entries) {
    const out = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: 'out/index.mjs',
      platform: 'node',
      format: 'esm',
      target: 'node22',
      metafile: true,
      logLevel: 'silent',
      ...lambdaEsbuildOptions(),
    });
    result.set(entry, out.metafile);
  }
  return result;
}

/** The SDK calls, own sources and literals of one bundled function. */
export function deployedCodeOf(root: string, metafile: Metafile): DeployedCode {
  const output = Object.values(metafile.outputs)[0];
  if (!output) throw new Error('the bundle has no output');
  // Only modules that put code in the bundle: esbuild drops what is never used.
  const modules = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([p]) => p);
  const sources = modules.filter((p) => p.startsWith('src/') && p.endsWith('.ts'));
  const parsed = sources.map((file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    return { file, source: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true) };
  });
  const called = new Set<string>();
  const literals = new Set<string>();
  for (const { source } of parsed) collectCallsAndLiterals(source, called, literals);
  const calls = [
    ...parsed.flatMap(({ file, source }) => sdkCallsIn(root, file, source, called)),
    ...sources.flatMap((file) =>
      (SIGNED_WITHOUT_SDK[file] ?? []).map((action) => ({ action, site: `${file}: signed POST /v1/traces` })),
    ),
  ];
  return { sources, calls, literals, modules };
}

function collectCallsAndLiterals(node: ts.Node, called: Set<string>, literals: Set<string>): void {
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    if (ts.isIdentifier(callee)) called.add(callee.text);
    else if (ts.isPropertyAccessExpression(callee)) called.add(callee.name.text);
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literals.add(node.text);
  ts.forEachChild(node, (child) => collectCallsAndLiterals(child, called, literals));
}

/** The SDK packages a file imports (statically, by type, or with `import()`), by their short name. */
function sdkPackagesOf(source: ts.SourceFile): string[] {
  return [...source.text.matchAll(/['"]@aws-sdk\/([a-z0-9-]+)['"]/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/**
 * The commands a file builds (`new XCommand(…)`, `new sdk.XCommand(…)`, `paginateX(…)`) whose
 * enclosing method or function is called somewhere in the bundle: a class shared by functions
 * (the alarm-state store) counts, for each function, only for the methods that function calls.
 */
function sdkCallsIn(
  root: string,
  file: string,
  source: ts.SourceFile,
  called: ReadonlySet<string>,
): SdkCall[] {
  const packages = sdkPackagesOf(source).filter((p) => p in SERVICE_OF_PACKAGE);
  const found: SdkCall[] = [];
  const visit = (node: ts.Node): void => {
    const operation = operationOf(node);
    if (operation && reached(node, called)) {
      const sdkPackage = packages.find((p) => exportsCommand(root, p, operation));
      if (!sdkPackage) throw new Error(`${file}: ${operation}Command comes from no imported SDK package`);
      found.push({ action: iamActionOf(sdkPackage, operation), site: `${file}: ${operation}Command` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function operationOf(node: ts.Node): string | undefined {
  if (ts.isNewExpression(node)) {
    const e = node.expression;
    const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : '';
    return /^[A-Z]\w*Command$/.test(name) ? name.slice(0, -'Command'.length) : undefined;
  }
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
    const m = /^paginate([A-Z]\w*)$/.exec(node.expression.text);
    return m?.[1];
  }
  return undefined;
}

/** Whether the nearest named method or function around `node` is called in the bundle (module scope always is). */
function reached(node: ts.Node, called: ReadonlySet<string>): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name && ts.isIdentifier(n.name))
      return called.has(n.name.text);
  }
  return true;
}

const commandExports = new Map<string, boolean>();
function exportsCommand(root: string, sdkPackage: string, operation: string): boolean {
  const file = path.join(
    root,
    'node_modules/@aws-sdk',
    sdkPackage,
    'dist-es/commands',
    `${operation}Command.js`,
  );
  let known = commandExports.get(file);
  if (known === undefined) {
    known = existsSync(file);
    commandExports.set(file, known);
  }
  return known;
}
