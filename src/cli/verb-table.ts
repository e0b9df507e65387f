/**
 * Which file in `commands/` registers each top-level verb, so `berth ps`
 * imports ps.ts alone instead of every verb (start-up cost). Help, completion,
 * a missing or unknown verb still load them all: they need the whole tree.
 * test/cli/verb-table.test.ts checks this table against what the files register;
 * a verb missing here still works (everything is loaded), just slower.
 */

/** Verb or alias → the basename (no extension) of the file in commands/ that registers it. */
export const VERB_FILES: Readonly<Record<string, string>> = {
  agent: 'agent', apply: 'apply', build: 'build', commit: 'commit', completion: 'completion', create: 'create', dash: 'dash',
  down: 'down', events: 'events', exec: 'exec', history: 'history', image: 'image', images: 'images',
  import: 'import', info: 'info', inspect: 'inspect', kill: 'kill', load: 'load', login: 'login',
  logout: 'logout', logs: 'logs', plan: 'plan', ps: 'ps', status: 'ps', pull: 'pull', push: 'push',
  render: 'render', rm: 'rm', rmi: 'rmi', run: 'run', save: 'save', schema: 'schema', search: 'search',
  systemd: 'systemd', tag: 'tag', top: 'top', validate: 'validate', why: 'why',
  start: 'unit-actions', stop: 'unit-actions', restart: 'unit-actions', reload: 'unit-actions',
  pause: 'unit-actions', unpause: 'unit-actions', reset: 'unit-actions',
};

/** Verbs that need every verb registered: they walk or print the whole tree. */
const WHOLE_TREE = new Set(['help', 'completion']);

/**
 * The verb of a command line (arguments after node and the script): the first
 * word that is neither a global option nor its value; undefined when there is
 * none or a help flag comes first. `valueFlags` are the global flags that take a value.
 */
export function findVerb(args: readonly string[], valueFlags: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (a === '-h' || a === '--help') return undefined;
    if (!a.startsWith('-') || a === '-') return a;
    if (a.includes('=')) continue;
    // a short flag with its value attached (-Hunix://…) is one word
    if (valueFlags.has(a)) i++;
  }
  return undefined;
}

/** The verb of a command line and its file in commands/, or undefined when every file must be loaded. */
export function verbFileFor(args: readonly string[], valueFlags: ReadonlySet<string>): { verb: string; file: string } | undefined {
  const verb = findVerb(args, valueFlags);
  if (verb === undefined || WHOLE_TREE.has(verb) || !Object.hasOwn(VERB_FILES, verb)) return undefined;
  return { verb, file: VERB_FILES[verb]! };
}
