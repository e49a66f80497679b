import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../shared/json.js';
import { compilePath, evaluatePath } from './jsonpath.js';
import { seededRng } from './scope.js';

const select = (path: string, input: Json): Json => {
  const r = evaluatePath(compilePath(path), { input, context: {}, vars: {}, rng: seededRng(1) });
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
};

describe('JSONPath filters: an unquoted word is that string', () => {
  const translations = [
    { TargetLanguageCode: 'es', TranslatedText: 'hola' },
    { TargetLanguageCode: 'fr', TranslatedText: 'salut' },
    { TargetLanguageCode: 'de', TranslatedText: 'hallo' },
  ];

  test('== and != compare with the word as a string', () => {
    assert.deepEqual(select('$[?(@.TargetLanguageCode==es)].TranslatedText', translations), ['hola']);
    assert.deepEqual(select('$[?(@.TargetLanguageCode == es)].TranslatedText', translations), ['hola']);
    assert.deepEqual(select('$[?(@.TargetLanguageCode!=es)].TranslatedText', translations), ['salut', 'hallo']);
    assert.deepEqual(select("$[?(@.TargetLanguageCode=='es')].TranslatedText", translations), ['hola']);
    const labels = { Labels: [{ Name: 'Receipt', Confidence: 99 }, { Name: 'Paper', Confidence: 80 }] };
    assert.deepEqual(select('$.Labels[?(@.Name==Receipt)]', labels), [{ Name: 'Receipt', Confidence: 99 }]);
    assert.deepEqual(select('$.Labels[?(@.Name==Receipt && @.Confidence > 90)].Name', labels), ['Receipt']);
    assert.deepEqual(select('$.Labels[?(@.Name==receipt)]', labels), []);
  });

  test('the word is recorded on the compiled path; true, false, null and numbers stay literals', () => {
    assert.deepEqual(compilePath('$.Labels[?(@.Name==Receipt || @.Name==en-US)]').bareWords, ['Receipt', 'en-US']);
    assert.deepEqual(compilePath("$.x[?(@.a==true || @.b==null || @.c==1.5 || @.d=='q')]").bareWords, []);
    assert.deepEqual(select('$[?(@.v==true)].n', [{ v: true, n: 1 }, { v: 'true', n: 2 }]), [1]);
    assert.deepEqual(select('$[?(@.v==trueish)].n', [{ v: true, n: 1 }, { v: 'trueish', n: 2 }]), [2]);
  });
});
