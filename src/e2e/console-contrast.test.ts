/**
 * The console's colours are readable: every text colour the stylesheet pairs with a background meets
 * WCAG AA (4.5:1), and the Map Run progress bar's segments stand out (3:1), read from the custom
 * properties of console/src/styles.css.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'src', 'styles.css'), 'utf8');
const vars = new Map([...css.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
const color = (v: string) => (v.startsWith('#') ? v : vars.get(v) ?? assert.fail(`--${v} is not defined as a #rrggbb colour`));

// [text, background]: the pairs the stylesheet draws text with.
const PAIRS: [string, string][] = [
  ['text', 'panel'],
  ['text', 'bg'],
  ['muted', 'panel'],
  ['muted', 'bg'],
  ['accent', 'panel'],
  ['#ffffff', 'accent'],
  ['danger', 'danger-soft'],
  ['warn', 'warn-soft'],
  ['ok', 'ok-soft'],
  ['st-succeeded-line', 'st-succeeded-fill'],
  ['st-failed-line', 'st-failed-fill'],
  ['st-caught-line', 'st-caught-fill'],
  ['st-running-line', 'st-running-fill'],
  ['st-cancelled-line', 'st-cancelled-fill'],
  ['text', 'st-succeeded-fill'],
  ['text', 'st-failed-fill'],
  ['text', 'st-none-fill'],
  // The Map Run link on a Distributed Map's header, and hovered.
  ['accent', 'accent-soft'],
];

// [shape, background]: the Map Run progress bar's segments against its empty (pending) part and the
// panel: non-text contrast, WCAG 1.4.11 (3:1).
const SHAPES: [string, string][] = [
  ['st-succeeded-line', 'bar-pending'],
  ['st-failed-line', 'bar-pending'],
  ['st-caught-line', 'bar-pending'],
  ['st-cancelled-line', 'bar-pending'],
  ['st-running-line', 'bar-pending'],
  ['st-succeeded-line', 'panel'],
  ['st-running-line', 'panel'],
];

it('text colours of the console meet WCAG AA contrast (4.5:1) on their backgrounds', () => {
  for (const [fg, bg] of PAIRS) {
    const ratio = contrast(color(fg), color(bg));
    assert.ok(ratio >= 4.5, `${fg} on ${bg}: ${ratio.toFixed(2)}:1`);
  }
});

it("the Map Run progress bar's segments meet the non-text contrast of WCAG AA (3:1)", () => {
  for (const [fg, bg] of SHAPES) {
    const ratio = contrast(color(fg), color(bg));
    assert.ok(ratio >= 3, `${fg} on ${bg}: ${ratio.toFixed(2)}:1`);
  }
});
