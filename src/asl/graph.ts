/**
 * A state machine definition as a graph of nodes and edges, for drawing. Pure and browser-safe: no
 * Node.js modules. Tolerates any half-typed definition (the designer redraws as the user types): what
 * cannot be drawn is reported in `problems`, and nothing throws.
 * @module
 */
import { parseResource } from './resources.js';

export type GNodeKind = 'Start' | 'End' | 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map' | 'Unknown';

export interface GNode {
  /** Unique in the whole graph: scope id + '/' + state name; start/end nodes: `${scope.id}#start`, `${scope.id}#end`. */
  id: string;
  kind: GNodeKind;
  /** The state's name, or 'Start' / 'End'. */
  name: string;
  /** A short second line (Task resource, Wait duration, Fail error, Map mode). */
  sub?: string;
  /** Parallel: one per branch; Map: one (ItemProcessor or Iterator). */
  scopes?: GScope[];
}

export type GEdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'start' | 'end';

export interface GEdge {
  from: string;
  to: string;
  kind: GEdgeKind;
  label?: string;
}

/** A workflow: the root, a Parallel branch (id `${parallel.id}[i]`) or a Map's processor (id `${map.id}[*]`). */
export interface GScope {
  id: string;
  label?: string;
  nodes: GNode[];
  edges: GEdge[];
}

const STATE_KINDS: ReadonlySet<string> = new Set(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);

/** Choice labels and second lines are cut to this many characters (with '…'). */
export const LABEL_MAX = 40;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Obj, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

export function truncate(s: string, max = LABEL_MAX): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** `{% expr %}` → `expr`; other strings unchanged. */
function unwrapJsonata(s: string): string {
  const t = s.trim();
  return t.startsWith('{%') && t.endsWith('%}') && t.length >= 4 ? t.slice(2, -2).trim() : s;
}

function literal(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? '?' : s;
  } catch {
    return '?';
  }
}

const COMPARISONS: readonly [suffix: string, op: string][] = [
  ['GreaterThanEquals', '>='],
  ['LessThanEquals', '<='],
  ['GreaterThan', '>'],
  ['LessThan', '<'],
  ['Equals', '=='],
  ['Matches', 'matches'],
];

const TYPE_TESTS: Readonly<Record<string, string>> = {
  IsPresent: 'present',
  IsNull: 'null',
  IsNumeric: 'numeric',
  IsString: 'string',
  IsBoolean: 'boolean',
  IsTimestamp: 'timestamp',
};

/** A readable form of a JSONPath Choice rule (`$.x == 1`, `$.a is present and not ($.b > 2)`), untruncated. */
export function describeRule(rule: unknown, depth = 0): string {
  if (!isObj(rule) || depth > 20) return '?';
  const cond = own(rule, 'Condition');
  if (typeof cond === 'string') return unwrapJsonata(cond);
  const and = own(rule, 'And');
  const or = own(rule, 'Or');
  if (Array.isArray(and) || Array.isArray(or)) {
    const list = (Array.isArray(and) ? and : or) as unknown[];
    const word = Array.isArray(and) ? ' and ' : ' or ';
    if (list.length === 0) return Array.isArray(and) ? 'and ()' : 'or ()';
    return list
      .map((r) => {
        const s = describeRule(r, depth + 1);
        return isObj(r) && (Array.isArray(own(r, 'And')) || Array.isArray(own(r, 'Or'))) && list.length > 1 ? `(${s})` : s;
      })
      .join(word);
  }
  if (Object.prototype.hasOwnProperty.call(rule, 'Not')) return `not (${describeRule(own(rule, 'Not'), depth + 1)})`;
  const variable = typeof own(rule, 'Variable') === 'string' ? (own(rule, 'Variable') as string) : '?';
  for (const key of Object.keys(rule)) {
    if (key === 'Variable' || key === 'Next' || key === 'Assign' || key === 'Output' || key === 'Comment') continue;
    const test = TYPE_TESTS[key];
    if (test !== undefined) return `${variable} is ${own(rule, key) === false ? 'not ' : ''}${test}`;
    const isPath = key.endsWith('Path');
    const base = isPath ? key.slice(0, -4) : key;
    for (const [suffix, op] of COMPARISONS) {
      if (base.endsWith(suffix) && /^(String|Numeric|Boolean|Timestamp)/.test(base)) {
        const v = own(rule, key);
        const rhs = isPath && typeof v === 'string' ? v : literal(v);
        return `${variable} ${op} ${rhs}`;
      }
    }
  }
  return variable === '?' ? '?' : `${variable} ?`;
}

/** The short second line for a Task's resource. */
export function shortResource(resource: string): string {
  const r = parseResource(resource);
  if (r?.kind === 'lambda-function') return r.functionName;
  if (r?.kind === 'activity') return r.name;
  if (r?.kind === 'service') return `${r.service}:${r.action}`;
  return resource;
}

function sub(kind: GNodeKind, state: Obj): string | undefined {
  let s: string | undefined;
  switch (kind) {
    case 'Task': {
      const r = own(state, 'Resource');
      if (typeof r === 'string') s = shortResource(r);
      break;
    }
    case 'Wait': {
      const secs = own(state, 'Seconds');
      const ts = own(state, 'Timestamp');
      if (typeof secs === 'number') s = `${secs} s`;
      else if (typeof secs === 'string') s = `${unwrapJsonata(secs)} s`;
      else if (typeof own(state, 'SecondsPath') === 'string') s = `${own(state, 'SecondsPath') as string} s`;
      else if (typeof ts === 'string') s = `until ${unwrapJsonata(ts)}`;
      else if (typeof own(state, 'TimestampPath') === 'string') s = `until ${own(state, 'TimestampPath') as string}`;
      break;
    }
    case 'Fail': {
      const e = own(state, 'Error');
      if (typeof e === 'string') s = unwrapJsonata(e);
      else if (typeof own(state, 'ErrorPath') === 'string') s = own(state, 'ErrorPath') as string;
      break;
    }
    case 'Map': {
      const proc = own(state, 'ItemProcessor');
      const cfg = isObj(proc) ? own(proc, 'ProcessorConfig') : undefined;
      s = isObj(cfg) && own(cfg, 'Mode') === 'DISTRIBUTED' ? 'Map (distributed)' : 'Map (inline)';
      break;
    }
    default:
      break;
  }
  return s === undefined ? undefined : truncate(s);
}

class Builder {
  readonly problems: string[] = [];

  scope(workflow: unknown, id: string, location: string, label?: string): GScope {
    const scope: GScope = label === undefined ? { id, nodes: [], edges: [] } : { id, label, nodes: [], edges: [] };
    const startId = `${id}#start`;
    const endId = `${id}#end`;
    scope.nodes.push({ id: startId, kind: 'Start', name: 'Start' });
    const wf: Obj = isObj(workflow) ? workflow : {};
    if (!isObj(workflow)) this.problems.push(`${location || '/'}: a workflow must be an object`);
    const rawStates = own(wf, 'States');
    const states: Obj = isObj(rawStates) ? rawStates : {};
    const statesLoc = `${location}/States`;
    if (isObj(workflow) && !isObj(rawStates)) this.problems.push(`${statesLoc}: States must be an object`);
    const names = Object.keys(states);
    const nodeId = (name: string) => `${id}/${name}`;
    const missing = new Map<string, GNode>();
    const target = (name: string, loc: string): string => {
      if (Object.prototype.hasOwnProperty.call(states, name)) return nodeId(name);
      let n = missing.get(name);
      if (n === undefined) {
        n = { id: nodeId(name), kind: 'Unknown', name };
        missing.set(name, n);
      }
      this.problems.push(`${loc}: Missing 'Next' target: ${name}`);
      return n.id;
    };

    const startAt = own(wf, 'StartAt');
    if (typeof startAt === 'string') scope.edges.push({ from: startId, to: target(startAt, `${location}/StartAt`), kind: 'start' });
    else if (isObj(workflow)) this.problems.push(`${location}/StartAt: StartAt must be a string`);

    for (const name of names) {
      const state = states[name];
      const loc = `${statesLoc}/${name}`;
      const nid = nodeId(name);
      if (!isObj(state)) {
        this.problems.push(`${loc}: a state must be an object`);
        scope.nodes.push({ id: nid, kind: 'Unknown', name });
        continue;
      }
      const type = own(state, 'Type');
      const kind: GNodeKind = typeof type === 'string' && STATE_KINDS.has(type) ? (type as GNodeKind) : 'Unknown';
      if (kind === 'Unknown') this.problems.push(`${loc}/Type: unknown state type ${typeof type === 'string' ? type : String(type)}`);
      const node: GNode = { id: nid, kind, name };
      const s = sub(kind, state);
      if (s !== undefined) node.sub = s;
      scope.nodes.push(node);

      if (kind === 'Parallel') {
        const branches = own(state, 'Branches');
        if (Array.isArray(branches)) {
          node.scopes = branches.map((b, i) => this.scope(b, `${nid}[${i}]`, `${loc}/Branches[${i}]`, `Branch ${i + 1}`));
        }
      } else if (kind === 'Map') {
        const field = own(state, 'ItemProcessor') !== undefined ? 'ItemProcessor' : own(state, 'Iterator') !== undefined ? 'Iterator' : undefined;
        if (field !== undefined) node.scopes = [this.scope(own(state, field), `${nid}[*]`, `${loc}/${field}`, field === 'Iterator' ? 'Iterator' : 'Item processor')];
      }

      const next = own(state, 'Next');
      if (typeof next === 'string') scope.edges.push({ from: nid, to: target(next, `${loc}/Next`), kind: 'next' });
      if (kind === 'Choice') {
        const choices = own(state, 'Choices');
        if (Array.isArray(choices)) {
          choices.forEach((rule, i) => {
            const to = isObj(rule) ? own(rule, 'Next') : undefined;
            if (typeof to === 'string') {
              scope.edges.push({ from: nid, to: target(to, `${loc}/Choices[${i}]/Next`), kind: 'choice', label: truncate(describeRule(rule)) });
            }
          });
        }
        const def = own(state, 'Default');
        if (typeof def === 'string') scope.edges.push({ from: nid, to: target(def, `${loc}/Default`), kind: 'default', label: 'Default' });
      }
      const catchers = own(state, 'Catch');
      if (Array.isArray(catchers)) {
        catchers.forEach((c, i) => {
          const to = isObj(c) ? own(c, 'Next') : undefined;
          if (typeof to !== 'string' || !isObj(c)) return;
          const errs = own(c, 'ErrorEquals');
          const label = Array.isArray(errs) ? errs.filter((e) => typeof e === 'string').join(', ') : '';
          scope.edges.push({ from: nid, to: target(to, `${loc}/Catch[${i}]/Next`), kind: 'catch', label: truncate(label || 'Catch') });
        });
      }
      if (own(state, 'End') === true || kind === 'Succeed' || kind === 'Fail') scope.edges.push({ from: nid, to: endId, kind: 'end' });
      else if (typeof next !== 'string' && kind !== 'Choice' && kind !== 'Unknown') this.problems.push(`${loc}: neither Next nor End`);
    }
    for (const n of missing.values()) scope.nodes.push(n);
    scope.nodes.push({ id: endId, kind: 'End', name: 'End' });
    return scope;
  }
}

/** Builds the graph of a parsed definition (any value: invalid parts are reported in `problems`). */
export function buildGraph(definition: unknown): { root: GScope; problems: string[] } {
  const b = new Builder();
  try {
    return { root: b.scope(definition, '', ''), problems: b.problems };
  } catch (e) {
    // Not expected (the builder checks every value it reads); keep the designer alive regardless.
    b.problems.push(`/: ${e instanceof Error ? e.message : String(e)}`);
    return { root: { id: '', nodes: [{ id: '#start', kind: 'Start', name: 'Start' }, { id: '#end', kind: 'End', name: 'End' }], edges: [] }, problems: b.problems };
  }
}

/** Every node of the graph with this state name (names may repeat across Parallel branches / Map processors). */
export function findNodes(root: GScope, name: string): GNode[] {
  const out: GNode[] = [];
  const walk = (s: GScope) => {
    for (const n of s.nodes) {
      if (n.name === name && n.kind !== 'Start' && n.kind !== 'End') out.push(n);
      n.scopes?.forEach(walk);
    }
  };
  walk(root);
  return out;
}
