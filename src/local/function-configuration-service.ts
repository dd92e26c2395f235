import { z } from 'zod';
import type { RawResponse, RestRequest, RestServiceDefinition } from './aws';
import type { LambdaRunner, LocalFunctionSpec } from './runner';

const configurationPath = /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/;

const UpdateFunctionConfigurationBody = z.object({
  Environment: z.object({ Variables: z.record(z.string(), z.string()).default({}) }).optional(),
});

/**
 * Lambda's GetFunctionConfiguration and UpdateFunctionConfiguration (restJson1) for the local
 * functions, so fault injection is switched on and off with the real AWS CLI or SDK. As in AWS, an
 * update REPLACES the variables and recycles the function's environments.
 */
export function createFunctionConfigurationService(
  runner: LambdaRunner,
  functions: readonly LocalFunctionSpec[],
): RestServiceDefinition {
  const variables = new Map(functions.map((f) => [f.name, { ...f.env }]));
  const specs = new Map(functions.map((f) => [f.name, f]));

  const describe = (name: string, region: string): RawResponse => {
    const spec = specs.get(name);
    return json(200, {
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:${region}:000000000000:function:${name}`,
      Runtime: 'nodejs22.x',
      Handler: `index.${spec?.exportName ?? 'handler'}`,
      MemorySize: spec?.memoryMb ?? 128,
      Timeout: Math.ceil((spec?.timeoutMs ?? 30_000) / 1000),
      Architectures: ['arm64'],
      State: 'Active',
      LastUpdateStatus: 'Successful',
      Environment: { Variables: variables.get(name) ?? {} },
      TracingConfig: { Mode: spec?.tracing === true ? 'Active' : 'PassThrough' },
    });
  };

  return {
    name: 'lambda-configuration',
    matches: (method, path) => (method === 'GET' || method === 'PUT') && configurationPath.test(path),
    handle(request: RestRequest, ctx) {
      const name = decodeURIComponent(configurationPath.exec(request.path)?.[1] ?? '');
      const current = variables.get(name);
      if (current === undefined) {
        return error(404, 'ResourceNotFoundException', `Function not found: ${name}`);
      }
      if (request.method === 'GET') return describe(name, ctx.region);

      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8') || '{}');
      } catch {
        return error(400, 'InvalidRequestContentException', 'Could not parse request body into json');
      }
      const parsed = UpdateFunctionConfigurationBody.safeParse(body);
      if (!parsed.success) {
        return error(
          400,
          'InvalidParameterValueException',
          parsed.error.issues[0]?.message ?? 'invalid body',
        );
      }
      if (parsed.data.Environment) {
        const next = parsed.data.Environment.Variables;
        const patch: Record<string, string | undefined> = { ...next };
        for (const key of Object.keys(current)) if (!(key in next)) patch[key] = undefined;
        runner.setEnvironment(name, patch);
        variables.set(name, { ...next });
      }
      return describe(name, ctx.region);
    },
  };
}

function json(status: number, body: unknown): RawResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function error(status: number, type: string, message: string): RawResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Type: 'User', message }),
  };
}
