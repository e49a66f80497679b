import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, describeRule, findNodes, type GEdge, type GScope } from './graph.js';

const edge = (s: GScope, from: string, to: string): GEdge[] => s.edges.filter((e) => e.from === from && e.to === to);
const ids = (s: GScope) => s.nodes.map((n) => n.id);

test('a linear machine: start and end nodes, next and end edges, definition order', () => {
  const { root, problems } = buildGraph({
    StartAt: 'A',
    States: { B: { Type: 'Pass', End: true }, A: { Type: 'Pass', Next: 'B' } },
  });
  assert.deepEqual(problems, []);
  assert.equal(root.id, '');
  assert.deepEqual(ids(root), ['#start', '/B', '/A', '#end']);
  assert.deepEqual(root.nodes[0], { id: '#start', kind: 'Start', name: 'Start' });
  assert.deepEqual(root.nodes[3], { id: '#end', kind: 'End', name: 'End' });
  assert.deepEqual(root.edges, [
    { from: '#start', to: '/A', kind: 'start' },
    { from: '/B', to: '#end', kind: 'end' },
    { from: '/A', to: '/B', kind: 'next' },
  ]);
});

test('second lines: task resources, waits, fail errors, map modes', () => {
  const { root } = buildGraph({
    StartAt: 'L',
    States: {
      L: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'S' },
      S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Next: 'F' },
      F: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:foo', Next: 'Q' },
      Q: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:bar:live', Next: 'Act' },
      Act: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:review', Next: 'Sdk' },
      Sdk: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem', Next: 'Odd' },
      Odd: { Type: 'Task', Resource: 'something else', Next: 'W1' },
      W1: { Type: 'Wait', Seconds: 10, Next: 'W2' },
      W2: { Type: 'Wait', TimestampPath: '$.ts', Next: 'W3' },
      W3: { Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', Next: 'W4' },
      W4: { Type: 'Wait', SecondsPath: '$.delay', Next: 'W5' },
      W5: { Type: 'Wait', Seconds: '{% $delay %}', Next: 'M1' },
      M1: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'X', States: { X: { Type: 'Succeed' } } }, Next: 'M2' },
      M2: { Type: 'Map', Iterator: { StartAt: 'X', States: { X: { Type: 'Succeed' } } }, Next: 'Boom' },
      Boom: { Type: 'Fail', Error: 'MyError', Cause: 'x' },
    },
  });
  const sub = Object.fromEntries(root.nodes.map((n) => [n.name, n.sub]));
  assert.equal(sub['L'], 'lambda:invoke');
  assert.equal(sub['S'], 'states:startExecution.sync:2');
  assert.equal(sub['F'], 'foo');
  assert.equal(sub['Q'], 'bar');
  assert.equal(sub['Act'], 'review');
  assert.equal(sub['Sdk'], 'aws-sdk:dynamodb:getItem');
  assert.equal(sub['Odd'], 'something else');
  assert.equal(sub['W1'], '10 s');
  assert.equal(sub['W2'], 'until $.ts');
  assert.equal(sub['W3'], 'until 2026-01-01T00:00:00Z');
  assert.equal(sub['W4'], '$.delay s');
  assert.equal(sub['W5'], '$delay s');
  assert.equal(sub['M1'], 'Map (distributed)');
  assert.equal(sub['M2'], 'Map (inline)');
  assert.equal(sub['Boom'], 'MyError');
  assert.equal(sub['Start'], undefined);
});

test('choice edges: one per rule with a readable label, then the default', () => {
  const { root, problems } = buildGraph({
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.x', NumericEquals: 1, Next: 'A' },
          { Variable: '$.s', StringMatches: 'a*', Next: 'A' },
          { Variable: '$.b', IsPresent: true, Next: 'B' },
          { Variable: '$.b', IsPresent: false, Next: 'B' },
          { Variable: '$.n', NumericGreaterThanPath: '$.m', Next: 'B' },
          { And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.c', StringEquals: 'x' } }], Next: 'B' },
          { Or: [{ Variable: '$.a', IsNull: true }, { And: [{ Variable: '$.t', TimestampLessThanEquals: '2026-01-01T00:00:00Z' }, { Variable: '$.u', IsNumeric: false }] }], Next: 'B' },
          { Variable: '$.a.very.long.path.to.some.deeply.nested.value', StringEquals: 'and a long value too', Next: 'B' },
        ],
        Default: 'A',
      },
      A: { Type: 'Succeed' },
      B: { Type: 'Succeed' },
    },
  });
  assert.deepEqual(problems, []);
  const choice = root.edges.filter((e) => e.from === '/C');
  assert.deepEqual(
    choice.map((e) => [e.kind, e.to, e.label]),
    [
      ['choice', '/A', '$.x == 1'],
      ['choice', '/A', '$.s matches "a*"'],
      ['choice', '/B', '$.b is present'],
      ['choice', '/B', '$.b is not present'],
      ['choice', '/B', '$.n > $.m'],
      ['choice', '/B', '$.a == true and not ($.c == "x")'],
      ['choice', '/B', '$.a is null or ($.t <= "2026-01-01T00:0…'],
      ['choice', '/B', '$.a.very.long.path.to.some.deeply.neste…'],
      ['default', '/A', 'Default'],
    ],
  );
  for (const e of choice) assert.ok(e.label!.length <= 40);
});

test('choice labels for JSONata rules are the condition text', () => {
  const { root } = buildGraph({
    QueryLanguage: 'JSONata',
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 3 %}', Next: 'A' }, { Condition: '{% true %}', Next: 'A' }], Default: 'A' },
      A: { Type: 'Succeed' },
    },
  });
  assert.deepEqual(
    root.edges.filter((e) => e.kind === 'choice').map((e) => e.label),
    ['$states.input.n > 3', 'true'],
  );
  assert.equal(describeRule({ Condition: 'not wrapped' }), 'not wrapped');
  assert.equal(describeRule(null), '?');
  assert.equal(describeRule({ Variable: '$.x', Unknown: 1 }), '$.x ?');
});

test('catch edges: labelled with the errors, kept beside a next edge to the same target', () => {
  const { root } = buildGraph({
    StartAt: 'T',
    States: {
      T: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Next: 'H',
        Catch: [
          { ErrorEquals: ['States.Timeout', 'MyError'], Next: 'H' },
          { ErrorEquals: ['States.ALL'], Next: 'F' },
        ],
      },
      H: { Type: 'Pass', End: true },
      F: { Type: 'Fail' },
    },
  });
  assert.deepEqual(
    edge(root, '/T', '/H').map((e) => [e.kind, e.label]),
    [
      ['next', undefined],
      ['catch', 'States.Timeout, MyError'],
    ],
  );
  assert.deepEqual(edge(root, '/T', '/F'), [{ from: '/T', to: '/F', kind: 'catch', label: 'States.ALL' }]);
  assert.deepEqual(edge(root, '/F', '#end'), [{ from: '/F', to: '#end', kind: 'end' }]);
  assert.equal(root.nodes.find((n) => n.id === '/F')!.sub, undefined);
});

test('parallel branches and map processors are nested scopes with their own start and end', () => {
  const { root, problems } = buildGraph({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemProcessor: {
          StartAt: 'P',
          States: {
            P: {
              Type: 'Parallel',
              Branches: [
                { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } },
                { StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Y' }, Y: { Type: 'Succeed' } } },
              ],
              End: true,
            },
          },
        },
        End: true,
      },
    },
  });
  assert.deepEqual(problems, []);
  const m = root.nodes.find((n) => n.id === '/M')!;
  assert.equal(m.kind, 'Map');
  assert.equal(m.scopes!.length, 1);
  const proc = m.scopes![0]!;
  assert.equal(proc.id, '/M[*]');
  assert.equal(proc.label, 'Item processor');
  assert.deepEqual(ids(proc), ['/M[*]#start', '/M[*]/P', '/M[*]#end']);
  const p = proc.nodes[1]!;
  assert.deepEqual(
    p.scopes!.map((s) => [s.id, s.label]),
    [
      ['/M[*]/P[0]', 'Branch 1'],
      ['/M[*]/P[1]', 'Branch 2'],
    ],
  );
  const [b1, b2] = p.scopes!;
  assert.deepEqual(ids(b1!), ['/M[*]/P[0]#start', '/M[*]/P[0]/X', '/M[*]/P[0]#end']);
  assert.deepEqual(b2!.edges, [
    { from: '/M[*]/P[1]#start', to: '/M[*]/P[1]/X', kind: 'start' },
    { from: '/M[*]/P[1]/X', to: '/M[*]/P[1]/Y', kind: 'next' },
    { from: '/M[*]/P[1]/Y', to: '/M[*]/P[1]#end', kind: 'end' },
  ]);
  // The same state name in two branches: two nodes with different ids.
  assert.deepEqual(
    findNodes(root, 'X').map((n) => n.id),
    ['/M[*]/P[0]/X', '/M[*]/P[1]/X'],
  );
  // Every id is unique.
  const all: string[] = [];
  const walk = (s: GScope) => {
    all.push(s.id);
    for (const n of s.nodes) {
      all.push(n.id);
      n.scopes?.forEach(walk);
    }
  };
  walk(root);
  assert.equal(new Set(all).size, all.length);
});

test('a legacy Iterator is the map scope', () => {
  const { root } = buildGraph({ StartAt: 'M', States: { M: { Type: 'Map', Iterator: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } });
  const scope = root.nodes[1]!.scopes![0]!;
  assert.equal(scope.label, 'Iterator');
  assert.deepEqual(ids(scope), ['/M[*]#start', '/M[*]/I', '/M[*]#end']);
});

test('loops are kept as edges', () => {
  const { root } = buildGraph({
    StartAt: 'W',
    States: {
      W: { Type: 'Wait', Seconds: 5, Next: 'Check' },
      Check: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Done?' },
      'Done?': { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Ok' }], Default: 'W' },
      Ok: { Type: 'Succeed' },
      Self: { Type: 'Pass', Next: 'Self' },
    },
  });
  assert.deepEqual(edge(root, '/Done?', '/W'), [{ from: '/Done?', to: '/W', kind: 'default', label: 'Default' }]);
  assert.deepEqual(edge(root, '/Self', '/Self'), [{ from: '/Self', to: '/Self', kind: 'next' }]);
});

test('invalid and half-typed definitions never throw', () => {
  const inputs: unknown[] = [
    undefined,
    null,
    42,
    'text',
    [],
    {},
    { StartAt: 5 },
    { StartAt: 'A' },
    { StartAt: 'A', States: [] },
    { StartAt: 'A', States: { A: null } },
    { StartAt: 'A', States: { A: 'Pass' } },
    { StartAt: 'A', States: { A: { Type: 'Pas' } } },
    { StartAt: 'A', States: { A: { Type: 'Choice', Choices: [null, 3, { Next: 5 }, { Next: 'A', And: 'x' }], Default: 7 } } },
    { StartAt: 'A', States: { A: { Type: 'Choice', Choices: 'x' } } },
    { StartAt: 'A', States: { A: { Type: 'Choice', Choices: [{ Not: { Not: { Not: null } }, Next: 'A' }] } } },
    { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [null, {}, { States: 3 }], End: true } } },
    { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: {}, End: true } } },
    { StartAt: 'A', States: { A: { Type: 'Map', ItemProcessor: 'x', End: true } } },
    { StartAt: 'A', States: { A: { Type: 'Task', Catch: [null, { Next: 'A' }, { ErrorEquals: 'x', Next: 'A' }], End: true } } },
    { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: {}, Next: 'A' } } },
    { StartAt: 'A', States: { A: { Type: 'Fail', Error: 1 } } },
    { StartAt: 'A', States: { A: { Type: 'Task', Resource: 1, End: true } } },
    { StartAt: 'A', States: Object.create(null) },
  ];
  for (const def of inputs) {
    const { root, problems } = buildGraph(def);
    assert.equal(root.id, '');
    assert.ok(root.nodes.some((n) => n.kind === 'Start'));
    assert.ok(root.nodes.some((n) => n.kind === 'End'));
    assert.ok(Array.isArray(problems));
  }
  // Deeply cyclic JSON values are not JSON, but a self-referencing Not must not hang.
  const rule: Record<string, unknown> = { Next: 'A' };
  rule['Not'] = rule;
  const { root } = buildGraph({ StartAt: 'A', States: { A: { Type: 'Choice', Choices: [rule] } } });
  assert.equal(root.edges.filter((e) => e.kind === 'choice').length, 1);
});

test('problems: missing targets become Unknown nodes, bad states are reported and still drawn', () => {
  const { root, problems } = buildGraph({
    StartAt: 'A',
    States: {
      A: { Type: 'Pass', Next: 'Nowhere' },
      B: { Type: 'Choice', Choices: [{ Variable: '$.x', IsNull: true, Next: 'Nowhere' }], Default: 'Gone' },
      C: 'oops',
      D: { Type: 'Teleport', Next: 'A' },
      E: { Type: 'Pass' },
    },
  });
  assert.deepEqual(ids(root), ['#start', '/A', '/B', '/C', '/D', '/E', '/Nowhere', '/Gone', '#end']);
  assert.deepEqual(
    root.nodes.map((n) => n.kind),
    ['Start', 'Pass', 'Choice', 'Unknown', 'Unknown', 'Pass', 'Unknown', 'Unknown', 'End'],
  );
  assert.deepEqual(edge(root, '/D', '/A'), [{ from: '/D', to: '/A', kind: 'next' }]);
  assert.deepEqual(problems, [
    "/States/A/Next: Missing 'Next' target: Nowhere",
    "/States/B/Choices[0]/Next: Missing 'Next' target: Nowhere",
    "/States/B/Default: Missing 'Next' target: Gone",
    '/States/C: a state must be an object',
    '/States/D/Type: unknown state type Teleport',
    '/States/E: neither Next nor End',
  ]);
  // StartAt naming no state, and no States at all.
  const r2 = buildGraph({ StartAt: 'X' });
  assert.deepEqual(ids(r2.root), ['#start', '/X', '#end']);
  assert.deepEqual(r2.problems, ['/States: States must be an object', "/StartAt: Missing 'Next' target: X"]);
  assert.deepEqual(buildGraph(null).problems, ['/: a workflow must be an object']);
});

test('problems inside nested scopes carry their location', () => {
  const { problems } = buildGraph({
    StartAt: 'P',
    States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'X', States: {} }, { StartAt: 'Y', States: { Y: { Type: 'Pass', Next: 'Z' } } }], End: true } },
  });
  assert.deepEqual(problems, ["/States/P/Branches[0]/StartAt: Missing 'Next' target: X", "/States/P/Branches[1]/States/Y/Next: Missing 'Next' target: Z"]);
});
