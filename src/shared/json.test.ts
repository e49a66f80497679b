import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH, nestedDeeperThan, nestingDepthMessage, textNestingOver, tryParseJson } from './json.js';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('JSON nesting depth', () => {
  it("is bounded at Jackson's default of 1000 levels", () => {
    assert.equal(MAX_JSON_DEPTH, 1000);
    assert.equal(textNestingOver(deep(1000)), -1);
    assert.equal(textNestingOver(deep(1001)), 1000);
    assert.equal(textNestingOver(`{"a":${deep(2000)}}`), 1004);
    // Brackets in strings, escaped quotes included, do not count.
    assert.equal(textNestingOver(JSON.stringify({ s: deep(5000), t: '\\"[[[' })), -1);
  });

  it('tryParseJson refuses deeper text with Jackson\'s message, and parses the rest', () => {
    assert.deepEqual(tryParseJson(deep(100_000)), { ok: false, message: nestingDepthMessage() });
    assert.equal(nestingDepthMessage(), 'Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)');
    const r = tryParseJson(deep(1000));
    assert.ok(r.ok);
    assert.equal(tryParseJson('{"a":').ok, false);
  });

  it('nestedDeeperThan walks any depth without recursion', () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = i % 2 ? [v] : { a: v };
    assert.equal(nestedDeeperThan(v), true);
    assert.equal(nestedDeeperThan(JSON.parse(deep(1000))), false);
    assert.equal(nestedDeeperThan(JSON.parse(deep(1001))), true);
    assert.equal(nestedDeeperThan({ a: [1, { b: 2 }], c: 'x' }, 3), false);
    assert.equal(nestedDeeperThan({ a: [1, { b: [] }] }, 3), true);
  });
});
