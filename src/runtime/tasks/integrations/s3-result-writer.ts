/**
 * A Distributed Map's ResultWriter over S3 (`s3:putObject`): the command's input is
 * `{ Parameters?: { Bucket, Prefix }, WriterConfig?, MapRunArn, Results }`. With Parameters it writes the result
 * files and then `manifest.json` under `<Prefix>/<map run id>/` and succeeds with
 * `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }` (the manifest's key); with only a WriterConfig nothing is
 * written and the task succeeds with the transformed results (the Map state's output). Failures are
 * `States.ResultWriterFailed`. S3 is reached with the task runtime's S3 client (endpoint settings, the
 * `Credentials` role).
 * @module
 */
import type { Json } from '../../../shared/json.js';
import { manifestOf, resultFiles, resultsFolder, resultWriterRequest, ResultWriterError, transformResults, MAX_RESULT_FILE_BYTES } from '../../items/results.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { AwsClients, type LoadedService } from './aws/clients.js';
import { roleOf } from './aws/call.js';
import { sdkIntegrationError } from './aws/errors.js';

export const RESULT_WRITER_FAILED = 'States.ResultWriterFailed';

export interface S3ResultWriterOptions {
  /** Result files are split past this size (default AWS's 5 GB; smaller in tests). */
  maxFileBytes?: number;
}

export class S3ResultWriter implements TaskInvoker {
  readonly #maxFileBytes: number;

  constructor(
    readonly clients: AwsClients = new AwsClients(),
    opts: S3ResultWriterOptions = {},
  ) {
    this.#maxFileBytes = opts.maxFileBytes ?? MAX_RESULT_FILE_BYTES;
  }

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    void this.#write(cmd, ctx).then((r) => {
      if (ctx.cancel.cancelled) return;
      if (r.ok) cb.succeeded(r.output);
      else cb.failed(RESULT_WRITER_FAILED, r.cause);
    });
  }

  async #write(cmd: InvokeTask, ctx: TaskContext): Promise<{ ok: true; output: Json } | { ok: false; cause: string }> {
    const res = cmd.resource;
    let loaded: LoadedService | undefined;
    let writing = '';
    try {
      if (res.kind !== 'service' || res.service !== 's3' || res.api !== 'putObject' || res.pattern !== 'request-response')
        throw new ResultWriterError(`The resource '${res.arn}' is not a result writer (arn:aws:states:::s3:putObject).`);
      const req = resultWriterRequest(cmd.input);
      const target = req.target;
      if (!target) return { ok: true, output: transformResults(req.results, req.transformation) };
      const role = roleOf(cmd);
      if (role instanceof Error) throw new ResultWriterError(role.message);
      loaded = await this.clients.get('s3', ctx.region, role);
      const files = resultFiles({ ...req, target }, this.#maxFileBytes);
      // Loaded with the first write: importing the engine does not load the SDK.
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const put = async (Key: string, Body: string, ContentType: string) => {
        writing = Key;
        await loaded!.client.send(new PutObjectCommand({ Bucket: target.bucket, Key, Body, ContentType }), { abortSignal: ctx.cancel.signal });
      };
      for (const f of files) await put(f.key, f.body, req.outputType === 'JSONL' ? 'application/jsonl' : 'application/json');
      const manifestKey = `${resultsFolder(target.prefix, req.mapRunArn)}manifest.json`;
      await put(manifestKey, JSON.stringify(manifestOf(target.bucket, req.mapRunArn, files)), 'application/json');
      return { ok: true, output: { MapRunArn: req.mapRunArn, ResultWriterDetails: { Bucket: target.bucket, Key: manifestKey } } };
    } catch (e) {
      if (e instanceof ResultWriterError) return { ok: false, cause: e.message };
      const what = writing ? `Writing s3://${(cmd.input as { Parameters?: { Bucket?: string } })?.Parameters?.Bucket}/${writing} failed: ` : '';
      if (loaded && (e as { $metadata?: unknown })?.$metadata !== undefined) return { ok: false, cause: what + sdkIntegrationError(e, loaded).cause };
      return { ok: false, cause: what + ((e as Error)?.message ?? String(e)) };
    }
  }
}
