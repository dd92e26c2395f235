import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * An OTel ContextManager on AsyncLocalStorage (`@opentelemetry/context-async-hooks` is not
 * installed); outside any `with`, the active context comes from `rootContext`, so spans started
 * by a handler join the invocation's X-Ray trace.
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  constructor(private readonly rootContext: () => Context = () => ROOT_CONTEXT) {}

  active(): Context {
    return this.storage.getStore() ?? this.rootContext();
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(context, () => fn.apply(thisArg, args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (fn: (...a: unknown[]) => unknown) =>
      function (this: unknown, ...a: unknown[]) {
        return storageRun(context, () => fn.apply(this, a));
      };
    const storageRun = (c: Context, f: () => unknown) => this.storage.run(c, f);
    return run(target as (...a: unknown[]) => unknown) as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
