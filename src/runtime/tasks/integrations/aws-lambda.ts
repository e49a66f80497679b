/**
 * Lambda through the AWS SDK (`@aws-sdk/client-lambda` Invoke) for functions with no local handler when
 * LAMBDA_ENDPOINT is unset: real AWS Lambda, or `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL`. Used only when the
 * environment configures AWS (an endpoint, credentials or a profile), so that an engine without AWS
 * configuration keeps answering an unknown function with Lambda.ResourceNotFoundException at once.
 * @module
 */
import type { RemoteLambda } from './lambda.js';
import { AwsClients } from './aws/clients.js';
import { rawResponseOf } from './aws/shapes.js';

const CONFIG_VARS = [
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** The SDK path, or undefined when the environment configures no AWS access. */
export function lambdaViaSdk(clients: AwsClients = new AwsClients(), env: Record<string, string | undefined> = process.env): RemoteLambda | undefined {
  if (!CONFIG_VARS.some((v) => env[v])) return undefined;
  return async (name, qualifier, body, ctx, logTail) => {
    let loaded;
    try {
      loaded = await clients.get('lambda', ctx.region);
    } catch (e) {
      return { ok: false, functionError: false, error: 'States.Runtime', cause: (e as Error)?.message ?? String(e) };
    }
    const Invoke = loaded.mod.InvokeCommand as new (i: unknown) => unknown;
    try {
      const out = (await loaded.client.send(
        new Invoke({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}), Payload: Buffer.from(body), ...(logTail ? { LogType: 'Tail' } : {}) }),
        { abortSignal: ctx.cancel.signal },
      )) as { Payload?: Uint8Array; FunctionError?: string; StatusCode?: number };
      const headers = rawResponseOf(out)?.headers ?? {};
      const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      if (out.FunctionError) return { ok: false, functionError: true, payload: text, headers };
      return { ok: true, text, headers, status: out.StatusCode ?? 200 };
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
      const status = e.$metadata?.httpStatusCode;
      if (status === undefined) return { ok: false, functionError: false, error: 'Lambda.SdkClientException', cause: e.message ?? String(err) };
      const code = e.name ?? 'ServiceException';
      return {
        ok: false,
        functionError: false,
        error: `Lambda.${code.endsWith('Exception') ? code : `${code}Exception`}`,
        cause: `${e.message ?? ''} (Service: AWSLambda; Status Code: ${status}; Error Code: ${code}; Request ID: ${e.$metadata?.requestId ?? 'null'}; Proxy: null)`,
      };
    }
  };
}
