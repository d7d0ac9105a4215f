/**
 * A computation's components as the client ships them: files (ES modules, which every server
 * imports, and data files), folders (shipped whole; an `index.js` or `index.mjs` in them is
 * imported) and self-contained functions (shipped as source text).
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../../runtime/runtimeErrors.js';
import type { ShippedFunction } from '../protocol.js';

/**
 * A component: a path (file or folder) or a self-contained function.
 * @example
 * ```ts
 * const components: Component[] = ['./work.mjs', './data/', function square(_coro: unknown, x: number) { return x * x; }];
 * ```
 */
export type Component = string | ((...args: any[]) => unknown);

/**
 * What to send and what the servers load.
 * @example
 * ```ts
 * const { files, modules }: ResolvedComponents = resolveComponents(['./work.mjs']);
 * ```
 */
export interface ResolvedComponents {
  /** `[local path, folder below the computation folder ('' for its top)]`. */
  files: Array<[string, string]>;
  /** Module paths relative to the computation folder, imported in this order. */
  modules: string[];
  sources: ShippedFunction[];
}

const MODULE = /\.(m?js)$/;

function walk(dir: string, rel: string, out: Array<[string, string]>): void {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      if (name !== 'node_modules' && !name.startsWith('.')) walk(full, path.posix.join(rel, name), out);
    } else if (st.isFile()) out.push([full, rel]);
  }
}

/**
 * The source text of a self-contained function (it must not use variables from outside it).
 * @example
 * ```ts
 * shipFunction(function square(coro: unknown, x: number) { return x * x; }); // { name: 'square', source: 'function square(...' }
 * ```
 */
export function shipFunction(fn: (...args: any[]) => unknown): ShippedFunction {
  const source = Function.prototype.toString.call(fn);
  if (source.includes('[native code]')) throw new InvalidArgumentError(`${fn.name || 'a function'} is native and cannot be shipped`);
  // A method shorthand (`f(x) { ... }`) is not an expression: make it one.
  const expression = /^(async\s+)?(function\b|\(|[\w$]+\s*=>|class\b)/.test(source) ? source : `function ${source.replace(/^async\s+/, '')}`;
  const isAsync = /^async\s/.test(source) && !expression.startsWith('async');
  return { name: fn.name, source: isAsync ? `async ${expression}` : expression };
}

/**
 * Resolves the components: InvalidArgumentError for a path that does not exist or a value that
 * is neither a path nor a function.
 * @example
 * ```ts
 * const { files, modules, sources } = resolveComponents(['./work.js', './data/', function square(_coro: unknown, x: number) { return x * x; }]);
 * ```
 */
export function resolveComponents(components: readonly Component[]): ResolvedComponents {
  if (!Array.isArray(components)) throw new InvalidArgumentError('components must be an array of paths and functions');
  const files: Array<[string, string]> = [];
  const modules: string[] = [];
  const sources: ShippedFunction[] = [];
  for (const c of components) {
    if (typeof c === 'function') {
      const shipped = shipFunction(c);
      if (shipped.name === '') throw new InvalidArgumentError('a shipped function needs a name (jobs name it)');
      sources.push(shipped);
      continue;
    }
    if (typeof c !== 'string' || c.length === 0) throw new InvalidArgumentError(`a component must be a path or a function, got ${typeof c}`);
    let st;
    try {
      st = statSync(c);
    } catch {
      throw new InvalidArgumentError(`component ${c} does not exist`);
    }
    if (st.isDirectory()) {
      const base = path.basename(path.resolve(c));
      const inner: Array<[string, string]> = [];
      walk(path.resolve(c), base, inner);
      files.push(...inner);
      const index = inner.find(([full, rel]) => rel === base && /^index\.m?js$/.test(path.basename(full)));
      if (index !== undefined) modules.push(path.posix.join(base, path.basename(index[0])));
    } else {
      files.push([path.resolve(c), '']);
      if (MODULE.test(c)) modules.push(path.basename(c));
    }
  }
  const names = new Set<string>();
  for (const [full, rel] of files) {
    const key = path.posix.join(rel, path.basename(full));
    if (names.has(key)) throw new InvalidArgumentError(`two components would both be ${key} on the nodes`);
    names.add(key);
  }
  return { files, modules, sources };
}
