export {
  createHandlerBundler,
  type HandlerBundler,
  type HandlerBundlerOptions,
  type LoadableModule,
} from './bundler';
export { FunctionNotFoundError, LocalRunnerError, RunnerClosedError } from './errors';
export {
  createLambdaInvokeHandler,
  createLambdaInvokeService,
  handleInvokeRequest,
  type InvokeApiRequest,
  type InvokeApiResponse,
  isInvokeRequest,
  type LambdaInvokeRequestHandler,
} from './invoke-api';
export { billedDuration, functionArn, newTraceHeader } from './lambda-format';
export {
  createLambdaRunner,
  DEFAULT_MAX_CONCURRENCY,
  type InvocationType,
  type InvokeOptions,
  type LambdaRunner,
  type LambdaRunnerOptions,
  type LocalFunctionSpec,
  type LocalInvokeResult,
} from './lambda-runner';
export { CloudWatchLogSink, type LogSink, MemoryLogSink, type RunnerLogEvent } from './log-sink';
export {
  type InitReport,
  type InvocationReport,
  isPlatformError,
  type LambdaLogFormat,
  type PlatformLines,
  type PlatformStatus,
  platformLines,
} from './platform-lines';
export type { LambdaErrorPayload } from './protocol';
