import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closest, editDistance, parseArgs, UsageError } from './args.js';

const SPEC = { values: ['port', 'host', 'db', 'functions'], flags: ['approve-all'] };

describe('parseArgs with a spec', () => {
  test('values, --key=value, flags, positionals, and -- ends the options', () => {
    assert.deepEqual(parseArgs(['f.json', '--port', '1', '--host=h', '--approve-all', '--', '--db'], SPEC), {
      positionals: ['f.json', '--db'],
      flags: { port: '1', host: 'h', 'approve-all': true },
    });
    // A value may begin with one dash.
    assert.deepEqual(parseArgs(['--port', '-1', '-'], SPEC).flags, { port: '-1' });
  });

  test('unknown options name the one meant; values are required; flags take none', () => {
    assert.throws(() => parseArgs(['--prot', '1'], SPEC, 'serve'), new UsageError('serve: unknown option --prot (did you mean --port?)'));
    assert.throws(() => parseArgs(['--func', 'x'], SPEC, 'serve'), /did you mean --functions\?/);
    assert.throws(() => parseArgs(['--zzzzzz'], SPEC, 'serve'), new UsageError('serve: unknown option --zzzzzz'));
    assert.throws(() => parseArgs(['-p', '1'], SPEC, 'serve'), new UsageError('serve: unknown option -p'));
    assert.throws(() => parseArgs(['--port'], SPEC, 'serve'), new UsageError('serve: --port needs a value'));
    assert.throws(() => parseArgs(['--port', '--db', 'x'], SPEC, 'serve'), /--port needs a value/);
    assert.throws(() => parseArgs(['--approve-all=1'], SPEC, 'run'), /--approve-all takes no value/);
  });

  test('edit distance counts an adjacent transposition as one edit', () => {
    assert.equal(editDistance('prot', 'port'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(closest('hots', ['host', 'port']), 'host');
    assert.equal(closest('xyz', ['host', 'port']), undefined);
  });
});
