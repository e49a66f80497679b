/**
 * Local Lambda functions: handlers given in code (library) or found in a folder (`NAME.js`, `.mjs`,
 * `.cjs` or `.ts`, exporting `handler(event, context)`), looked up by function name.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  awsRequestId: string;
  /** Execution ARN, state name and attempt: the same for a re-invocation of the same attempt. */
  idempotencyKey: string;
  executionArn: string;
  getRemainingTimeInMillis(): number;
}

export type LocalFunction = (event: any, context: LambdaContext) => unknown;

export interface FunctionSource {
  resolve(name: string): Promise<LocalFunction | undefined> | LocalFunction | undefined;
}

export function functionsFromObject(fns: Record<string, LocalFunction>): FunctionSource {
  return { resolve: (name) => (Object.prototype.hasOwnProperty.call(fns, name) ? fns[name] : undefined) };
}

const EXTS = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

export function functionsFromDirectory(dir: string): FunctionSource {
  const root = resolve(dir);
  const cache = new Map<string, Promise<LocalFunction | undefined>>();
  return {
    resolve(name) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) return undefined;
      let p = cache.get(name);
      if (!p) {
        p = load(root, name);
        cache.set(name, p);
        p.then((fn) => {
          if (!fn) cache.delete(name);
        }, () => cache.delete(name));
      }
      return p;
    },
  };
}

async function load(root: string, name: string): Promise<LocalFunction | undefined> {
  for (const ext of EXTS) {
    const file = join(root, name + ext);
    if (!existsSync(file)) continue;
    const url = ext === '.ts' || ext === '.mts' ? await transpile(file) : pathToFileURL(file).href;
    const mod = (await import(url)) as { handler?: LocalFunction; default?: { handler?: LocalFunction } | LocalFunction };
    const handler = mod.handler ?? (typeof mod.default === 'function' ? mod.default : mod.default?.handler);
    if (typeof handler !== 'function') throw new Error(`${file} does not export a handler function`);
    return handler;
  }
  return undefined;
}

/**
 * Compiles a TypeScript handler with esbuild (relative imports bundled, packages left external) into a
 * hidden `.stepwise-build` folder beside it, so its package imports still resolve from the project.
 */
async function transpile(file: string): Promise<string> {
  const { build } = await import('esbuild');
  const src = await readFile(file, 'utf8');
  const dir = join(dirname(file), '.stepwise-build');
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${basename(file).replace(/\.m?ts$/, '')}-${createHash('sha1').update(src).digest('hex').slice(0, 10)}.mjs`);
  if (!existsSync(target)) {
    await build({ entryPoints: [file], bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', outfile: target, logLevel: 'silent' });
  }
  return pathToFileURL(target).href;
}
