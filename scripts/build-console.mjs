// Builds the web console into dist/console: the app (console/src, Preact, bundled and minified by
// esbuild), its stylesheet and index.html. Shipped in the package; `stepwise serve` serves it at `/`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });
const t0 = Date.now();
await build({
  entryPoints: [join(root, 'console', 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  legalComments: 'none',
});
copyFileSync(join(root, 'console', 'src', 'styles.css'), join(out, 'app.css'));
copyFileSync(join(root, 'console', 'favicon.svg'), join(out, 'favicon.svg'));
const html = readFileSync(join(root, 'console', 'index.html'), 'utf8');
writeFileSync(join(out, 'index.html'), html);
console.log(`console built into dist/console in ${Date.now() - t0} ms`);
