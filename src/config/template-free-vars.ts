/**
 * Finds variables a template reads but nothing defines, before rendering.
 * nunjucks' throwOnUndefined only catches `{{ x }}`; `{{ port + prot }}` or
 * `{% if prot %}` would silently render NaN or nothing. Guarded uses
 * (`x is defined`, `x | default(…)`) are allowed. Scopes are approximated:
 * a name bound anywhere in the template (set, for, macro, import) counts as
 * defined everywhere in it.
 */
import parser from 'nunjucks/src/parser.js';

/** An undefined name and where it is used (1-based). */
export interface FreeVariable {
  name: string;
  line: number;
  column: number;
}

/** nunjucks AST node (the parser is untyped). */
interface AstNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  value?: unknown;
  children?: AstNode[];
  [field: string]: unknown;
}

const isNode = (v: unknown): v is AstNode => !!v && typeof v === 'object' && typeof (v as AstNode).typename === 'string';

/** Parses template text with nunjucks' own parser; throws nunjucks' TemplateError on bad syntax. */
export function parseTemplate(src: string): AstNode {
  return (parser as { parse(src: string): AstNode }).parse(src);
}

function symbolNames(node: unknown, out: Set<string>): void {
  if (!isNode(node)) return;
  if (node.typename === 'Symbol') out.add(String(node.value));
  else if (node.typename === 'Pair') symbolNames(node.value, out), symbolNames(node.key, out);
  else for (const c of node.children ?? []) symbolNames(c, out);
}

function collectBound(node: unknown, out: Set<string>): void {
  if (!isNode(node)) return;
  switch (node.typename) {
    case 'Set': for (const t of (node.targets as unknown[]) ?? []) symbolNames(t, out); break;
    case 'For': case 'AsyncEach': case 'AsyncAll': symbolNames(node.name, out); break;
    case 'Macro': case 'Caller': symbolNames(node.name, out); collectParams(node.args, out); break;
    case 'Import': symbolNames(node.target, out); break;
    case 'FromImport': symbolNames(node.names, out); break;
  }
  for (const f of node.fields) {
    const v = node[f];
    if (Array.isArray(v)) v.forEach((x) => collectBound(x, out));
    else collectBound(v, out);
  }
}

function collectParams(args: unknown, out: Set<string>): void {
  if (!isNode(args)) return;
  for (const a of args.children ?? []) {
    if (isNode(a) && a.typename === 'Symbol') out.add(String(a.value));
    else if (isNode(a) && a.typename === 'KeywordArgs') for (const p of a.children ?? []) symbolNames(p.key, out);
  }
}

/** Every name a template binds (set, for, macro and its parameters, import). */
export function boundNames(ast: AstNode): Set<string> {
  const out = new Set<string>();
  collectBound(ast, out);
  return out;
}

/** Every unguarded use of a name that is neither in `known` nor bound in the template. */
export function findFreeVariables(ast: AstNode, known: ReadonlySet<string>): FreeVariable[] {
  const bound = new Set<string>(['loop', 'caller', 'super']);
  collectBound(ast, bound);
  const found: FreeVariable[] = [];
  const walk = (v: unknown, guarded: boolean): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, guarded));
    if (!isNode(v)) return;
    const n = v;
    switch (n.typename) {
      case 'Symbol': {
        const name = String(n.value);
        if (!guarded && !known.has(name) && !bound.has(name)) found.push({ name, line: n.lineno + 1, column: n.colno + 1 });
        return;
      }
      case 'Is': walk(n.left, true); return;
      case 'Filter': case 'FilterAsync': {
        const fname = isNode(n.name) ? String(n.name.value) : '';
        const args = (isNode(n.args) ? n.args.children : []) ?? [];
        args.forEach((a, i) => walk(a, guarded || (i === 0 && (fname === 'default' || fname === 'd'))));
        return;
      }
      case 'LookupVal': walk(n.target, guarded); if (isNode(n.val) && n.val.typename !== 'Literal') walk(n.val, false); return;
      case 'Pair': walk(n.value, guarded); return;
      case 'Macro': case 'Caller': walk(n.args, guarded); walk(n.body, guarded); return;
      case 'KeywordArgs': case 'Dict': for (const p of n.children ?? []) walk(p.value, guarded); return;
      case 'Block': walk(n.body, guarded); return;
      case 'Super': case 'CallExtension': case 'CallExtensionAsync': return;
      case 'Set': walk(n.value, guarded); walk(n.body, guarded); return;
      case 'For': case 'AsyncEach': case 'AsyncAll': walk(n.arr, guarded); walk(n.body, guarded); walk(n.else_, guarded); return;
      case 'Import': case 'FromImport': walk(n.template, guarded); return;
    }
    for (const f of n.fields) walk(n[f], guarded);
  };
  walk(ast, false);
  return found;
}
