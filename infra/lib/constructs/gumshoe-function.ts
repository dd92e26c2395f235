import path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FieldIndexPolicy, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_KEEP_NAMES, lambdaEsbuildArgs } from '../../../src/bundling/lambda-esbuild';
import type { FunctionSpec } from '../../../src/topology';

/** Options of {@link GumshoeFunction}: one Lambda function of the service or the bot, with its log group. */
export interface GumshoeFunctionOptions {
  /** The deployed function name (its log group is `/aws/lambda/<name>`). */
  readonly functionName: string;
  /** The handler file, relative to `projectRoot`; it must export `handler`. */
  readonly entry: string;
  /** The repository root: holds `entry`, package-lock.json and node_modules. */
  readonly projectRoot: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly logRetention: RetentionDays;
  /** JSON log fields to index for Logs Insights (case-sensitive); none when omitted. */
  readonly indexedFields?: readonly string[];
  /** Caps the function's concurrency (and reserves it); unreserved when omitted. */
  readonly reservedConcurrentExecutions?: number;
  /** The instruction set; arm64 when omitted. */
  readonly architecture?: 'arm64' | 'x86_64';
  /** Lambda active tracing; Active when omitted. */
  readonly tracing?: 'Active' | 'PassThrough';
  /** Ship a source map and run Node with `--enable-source-maps`; on when omitted. */
  readonly sourceMap?: boolean;
  /** Files copied into the bundle beside the handler (the flow config); none when omitted. */
  readonly bundledFiles?: readonly BundledFile[];
}

/** A file of the machine running synth, copied into a function's bundle under `name`. */
export interface BundledFile {
  /** Absolute path. */
  readonly source: string;
  /** File name in the bundle (no folder). */
  readonly name: string;
}

/** What a stack adds to a function of the description when it builds it. */
export interface GumshoeFunctionDeployOptions {
  readonly projectRoot: string;
  readonly logRetention: RetentionDays;
  /** The function's environment with resource references resolved. */
  readonly environment: Record<string, string>;
  readonly bundledFiles?: readonly BundledFile[];
}

// esbuild emits ESM; some dependencies still call `require`, so the bundle gets a require shim.
const ESM_REQUIRE_SHIM =
  "import { createRequire as __gumshoeCreateRequire } from 'node:module'; const require = __gumshoeCreateRequire(import.meta.url);";

/**
 * Copies files into the bundle once esbuild is done. The bundle's hash is taken from its output,
 * so a changed file gives a new asset and `cdk deploy` updates the function.
 */
function copyAfterBundling(files: readonly BundledFile[]): ICommandHooks {
  // Local bundling runs hook commands with `bash -c`: every path is single-quoted.
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      files.map((f) => `cp ${quote(f.source)} ${quote(path.join(outputDir, path.basename(f.name)))}`),
  };
}

/** A Node.js 22 arm64 function bundled locally by esbuild, with an explicit log group, tracing and nag acknowledgements. */
export class GumshoeFunction extends Construct {
  /** Builds the function the description (src/topology) gives: name, entry, sizing, tracing, env. */
  static fromSpec(
    scope: Construct,
    id: string,
    spec: FunctionSpec,
    options: GumshoeFunctionDeployOptions,
  ): GumshoeFunction {
    return new GumshoeFunction(scope, id, {
      functionName: spec.name,
      entry: spec.entry,
      description: spec.description,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      architecture: spec.architecture,
      tracing: spec.tracing,
      indexedFields: spec.indexedFields,
      sourceMap: spec.sourceMap,
      ...options,
    });
  }

  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  /** The deployed function name as a plain string (not a token), for alarm names and queries. */
  readonly name: string;

  constructor(scope: Construct, id: string, options: GumshoeFunctionOptions) {
    super(scope, id);
    this.name = options.functionName;
    const indexed = options.indexedFields ?? [];
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${options.functionName}`,
      retention: options.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(indexed.length > 0 ? { fieldIndexPolicies: [new FieldIndexPolicy({ fields: [...indexed] })] } : {}),
    });

    const sourceMap = options.sourceMap ?? true;
    const environment: Readonly<Record<string, string>> = {
      // Node reads and parses the map when it loads the bundle: a cold-start cost, chosen per function.
      ...(sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...options.environment,
    };

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: options.functionName,
      description: options.description,
      entry: path.join(options.projectRoot, options.entry),
      handler: 'handler',
      projectRoot: options.projectRoot,
      depsLockFilePath: path.join(options.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: options.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout ?? Duration.seconds(10),
      tracing: options.tracing === 'PassThrough' ? Tracing.PASS_THROUGH : Tracing.ACTIVE,
      ...(options.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: options.reservedConcurrentExecutions }
        : {}),
      logGroup: this.logGroup,
      // TEXT keeps the platform's START/END/REPORT lines in the classic form the seed's
      // `@type = "REPORT"` queries and /cost parse; the application lines are JSON (Powertools)
      // either way, so Logs Insights still discovers their fields.
      loggingFormat: LoggingFormat.TEXT,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        sourceMap,
        sourcesContent: false,
        minify: true,
        // Error names survive minification (`exception.name` in the logs is the class name).
        keepNames: LAMBDA_KEEP_NAMES,
        // The runtime ships AWS SDK v3, but bundling pins the versions we tested with.
        externalModules: [],
        // Bolt's unused Express / Socket Mode receiver dependencies become a throwing stub (about
        // 1.3 MiB less to parse at every cold start); the local runner and the bench share this.
        esbuildArgs: lambdaEsbuildArgs(),
        ...(options.bundledFiles && options.bundledFiles.length > 0
          ? { commandHooks: copyAfterBundling(options.bundledFiles) }
          : {}),
      },
    });

    const role = this.fn.role;
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AWS managed basic execution policy only lets the function write its own logs; a copy would add nothing.',
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource-level permissions use "*": X-Ray segment and span upload (PutSpans), dynamodb:ListStreams for stream consumers, and for investigating functions Logs Insights GetQueryResults/StopQuery, X-Ray trace reads and GetMetricWidgetImage.',
      });
    }
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the code is tested against (Node 20 locally, 22 in Lambda); 24 is next.',
    });
  }
}
