/** What the parent sends an execution environment: one invocation. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  event: unknown;
  /** Epoch ms after which Lambda would stop the invocation. */
  deadline: number;
  traceHeader: string;
}

/** Lambda's error shape in an invoke response. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** What an execution environment sends back. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorPayload }
  /** An uncaught exception or unhandled rejection: the runtime reports it, then exits. */
  | { type: 'fatal'; error: LambdaErrorPayload }
  | {
      type: 'result';
      requestId: string;
      ok: boolean;
      payload?: unknown;
      error?: LambdaErrorPayload;
      durationMs: number;
      maxRssKb: number;
    };

/** Written to stdout and stderr after each invocation so the parent knows both pipes are drained. */
export const END_MARKER = '\u0001gumshoe-invocation-end:';

/** The bootstrap's argv: the handler module and its export. */
export interface BootstrapArgs {
  entry: string;
  exportName: string;
}
