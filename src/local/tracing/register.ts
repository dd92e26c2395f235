/**
 * Preload for a local function's process (loaded by the runner's bootstrap when
 * `GUMSHOE_LOCAL_TRACING=1`): starts local tracing and hooks the runner's IPC so each
 * invocation's facade segment and spans are sent to the local X-Ray before its result goes back.
 */
import { startLocalTracing } from './local-tracing';

interface InvokeLike {
  type?: unknown;
  requestId?: unknown;
  traceHeader?: unknown;
}

if (process.env.GUMSHOE_LOCAL_TRACING === '1' && process.send) {
  const tracing = startLocalTracing();
  // Registered before the bootstrap's own listener, so the facade starts before the handler runs.
  process.on('message', (message: InvokeLike) => {
    if (message?.type === 'invoke')
      tracing.beginInvocation(
        typeof message.traceHeader === 'string' ? message.traceHeader : undefined,
        String(message.requestId),
      );
  });
  const send = process.send.bind(process) as (message: unknown, ...rest: unknown[]) => boolean;
  // Holding the result until the documents are sent is how the flush finishes inside the
  // invocation, as the X-Ray SDK's flush does before Lambda freezes the environment.
  process.send = ((message: { type?: unknown; ok?: unknown }, ...rest: unknown[]) => {
    if (message?.type !== 'result') return send(message, ...rest);
    void tracing.endInvocation(message.ok === false).finally(() => send(message, ...rest));
    return true;
  }) as typeof process.send;
}
