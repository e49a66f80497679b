/**
 * The command line of one subcommand: `--flag`, `--key value`, `--key=value`, positionals. Options are
 * declared per command (`OptionSpec`): an unknown or misspelt option, a value given to a flag, or an
 * option that takes a value given none is a `UsageError` (exit code 2) naming it, with the option meant
 * when one is close.
 * @module
 */
export interface Args {
  positionals: string[];
  flags: Record<string, string | true>;
}

/** The options a command accepts: those that take a value, and flags that take none. */
export interface OptionSpec {
  values: readonly string[];
  flags: readonly string[];
}

/** A mistake in the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` (the arguments after the command) against `spec`. Without a spec every option is
 * accepted and takes the next argument as its value unless that is another option (for tests).
 */
export function parseArgs(argv: string[], spec?: OptionSpec, command?: string): Args {
  const out: Args = { positionals: [], flags: {} };
  const prefix = command ? `${command}: ` : '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      out.flags.help = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    if (!spec) {
      const next = argv[i + 1];
      if (inline !== undefined) out.flags[name] = inline;
      else if (next === undefined || next.startsWith('--')) out.flags[name] = true;
      else {
        out.flags[name] = next;
        i++;
      }
      continue;
    }
    if (name === 'help') {
      out.flags.help = true;
      continue;
    }
    if (!a.startsWith('--') || !(spec.values.includes(name) || spec.flags.includes(name))) {
      throw new UsageError(`${prefix}${unknownOption(a.startsWith('--') ? `--${name}` : name, [...spec.values, ...spec.flags])}`);
    }
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${prefix}--${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    if (inline !== undefined) {
      out.flags[name] = inline;
      continue;
    }
    const next = argv[i + 1];
    // A value may start with '-' (a negative number, `-` for stdin) but not with '--' (the next option).
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${prefix}--${name} needs a value`);
    out.flags[name] = next;
    i++;
  }
  return out;
}

/** "unknown option --prot (did you mean --port?)" */
export function unknownOption(given: string, known: readonly string[]): string {
  const meant = closest(given.replace(/^-+/, ''), known);
  return `unknown option ${given}${meant ? ` (did you mean --${meant}?)` : ''}`;
}

/**
 * The known name `name` is most likely a misspelling of: the nearest by edit distance (adjacent
 * transpositions count as one edit) within about a third of its length, else the only one it begins.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(best.length / 3)))) return best;
  const prefixed = name.length >= 2 ? known.filter((k) => k.startsWith(name.toLowerCase())) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

export function str(args: Args, key: string): string | undefined {
  const v = args.flags[key];
  return typeof v === 'string' ? v : undefined;
}
