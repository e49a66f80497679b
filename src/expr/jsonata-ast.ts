/**
 * Static facts about a parsed JSONata expression, computed once at compile time: the `$names` it
 * reads (so an evaluation binds only those variables), whether it is a plain variable path that can
 * be read without the JSONata evaluator, and the names it reads from the (absent) root context.
 * @module
 */
import type jsonata from 'jsonata';

/** A JSONata AST node (the package's typings omit 'path', 'bind', 'apply', 'sort', ...). */
type Node = { type: string; value?: unknown; steps?: unknown; [k: string]: unknown };

/** Every `$name` the expression mentions (variables, function names, lambda parameters). */
export function referencedNames(ast: jsonata.ExprNode): Set<string> {
  const names = new Set<string>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const n = v as Node;
    if (n.type === 'variable' && typeof n.value === 'string') names.add(n.value);
    for (const k in n) {
      if (k === 'value' && n.type !== 'transform') continue;
      walk(n[k]);
    }
  };
  walk(ast);
  return names;
}

/**
 * A path made only of a variable followed by plain field names (`$x`, `$states.input.a.b`): it
 * can be read directly when every value on the way is an object. Returns undefined otherwise.
 */
export function simplePath(ast: jsonata.ExprNode): { root: string; keys: string[] } | undefined {
  const plain = (n: Node) =>
    n.stages === undefined &&
    n.predicate === undefined &&
    n.group === undefined &&
    n.focus === undefined &&
    n.index === undefined &&
    n.tuple === undefined &&
    n.keepArray === undefined &&
    n.keepSingletonArray === undefined &&
    n.seekingParent === undefined &&
    n.ancestor === undefined;
  const root = ast as unknown as Node;
  if (root.type === 'variable') {
    if (!plain(root) || typeof root.value !== 'string' || root.value === '' || root.value === '$') return undefined;
    return { root: root.value, keys: [] };
  }
  if (root.type !== 'path' || !plain(root) || !Array.isArray(root.steps) || root.steps.length < 2) return undefined;
  const [first, ...rest] = root.steps as Node[];
  if (!first || first.type !== 'variable' || !plain(first) || typeof first.value !== 'string') return undefined;
  if (first.value === '' || first.value === '$') return undefined;
  const keys: string[] = [];
  for (const s of rest) {
    if (s.type !== 'name' || !plain(s) || typeof s.value !== 'string') return undefined;
    keys.push(s.value);
  }
  return { root: first.value, keys };
}

/**
 * Field names read from the root context, which Step Functions leaves empty (the input is only
 * reachable as `$states.input`): `phone` or `$sum(price)` at the top level, not `$x.phone` nor
 * `$states.input[price > 1]`. AWS refuses such definitions (UNSUPPORTED_JSONATA_EXPRESSION).
 */
export function topLevelNames(ast: jsonata.ExprNode): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  // `atRoot`: the node is evaluated against the root context.
  const visit = (v: unknown, atRoot: boolean): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, atRoot);
      return;
    }
    const n = v as Node;
    switch (n.type) {
      case 'name':
        if (atRoot && typeof n.value === 'string') out.push(n.value);
        visitRelative(n);
        return;
      case 'path': {
        const steps = (n.steps ?? []) as Node[];
        steps.forEach((s, i) => visit(s, atRoot && i === 0));
        visitRelative(n, ['steps']);
        return;
      }
      case 'bind':
      case 'binary':
      case 'condition':
      case 'block':
      case 'unary':
      case 'function':
      case 'partial':
      case 'lambda':
      case 'apply':
        for (const k in n) {
          if (k === 'value' || k === 'stages' || k === 'predicate' || k === 'group') continue;
          visit(n[k], atRoot);
        }
        visitRelative(n);
        return;
      default:
        for (const k in n) if (k !== 'value' || n.type === 'transform') visit(n[k], false);
    }
  };
  // Predicates, group-by and sort terms of a step see that step's values, never the root.
  const visitRelative = (n: Node, skip: string[] = []) => {
    for (const k of ['stages', 'predicate', 'group']) if (!skip.includes(k)) visit(n[k], false);
  };
  visit(ast, true);
  return out;
}
