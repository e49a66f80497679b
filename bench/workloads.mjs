// Workloads: /work/shared-style folder with manifest.json and NAME.{asl,input,expected}.json.
// Default: ../shared/bench/workloads beside the repository; override with STEPWISE_BENCH_WORKLOADS.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKLOADS_DIR = resolve(process.env.STEPWISE_BENCH_WORKLOADS || join(REPO, '..', 'shared', 'bench', 'workloads'));

const readJson = (file) => JSON.parse(readFileSync(join(WORKLOADS_DIR, file), 'utf8'));

export function loadManifest() {
  try {
    return readJson('manifest.json');
  } catch (e) {
    throw new Error(`cannot read ${join(WORKLOADS_DIR, 'manifest.json')} (set STEPWISE_BENCH_WORKLOADS): ${e.message}`);
  }
}

/** A manifest entry plus its definition, input and expected output. */
export function loadWorkload(entry) {
  return {
    ...entry,
    def: readJson(`${entry.name}.asl.json`),
    input: readJson(`${entry.name}.input.json`),
    expected: readJson(`${entry.name}.expected.json`),
  };
}

/** The first difference between an output and the expected output (compared as JSON values), or null. */
export function diffOutput(output, expected) {
  const got = output === undefined ? undefined : JSON.parse(JSON.stringify(output));
  return firstDiff(got, expected, '$');
}

function firstDiff(a, b, path) {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  const show = (x) => (x === undefined ? 'undefined' : JSON.stringify(x).slice(0, 80));
  return `${path}: got ${show(a)}, expected ${show(b)}`;
}
