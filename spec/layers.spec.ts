/**
 * Keeps the layering true. Reads every library file (runtime/, transports/, actors/, the entries
 * index.ts and extend.ts, and bin/ if it exists), parses its imports itself (`import ... from`,
 * `import type`, `export ... from`, bare `import '...'`, and `import('...')` with a string literal;
 * comments ignored), resolves relative specifiers to files and checks:
 * - imports point down the order bin → entries → actors → transports → runtime, and inside a layer
 *   down its sub-layers: transports/net → transports/io; actors/remote → top-level actors files
 *   (Channel, Supervisor) → actors/sync → actors/actorErrors.ts (the area's error module, shared by
 *   every sub-layer of actors), actors/threads (worker threads as nodes) above actors/remote,
 *   actors/dashboard above both, and actors/discoro
 *   (computations, which implement the dashboard's ClusterSource) above both;
 * - no import cycle between files, type-only imports included, except runtime/Coro.ts ↔
 *   runtime/Scheduler.ts;
 * - discoro's three programs keep to their folders: actors/discoro/client/ (the Computation, in the
 *   user's process), node/ (the discoronode main process) and server/ (a forked server process)
 *   import none of each other, only the protocol module (actors/discoro/*.ts) they share;
 * - no `console.` in library code (bin/ may print).
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { libraryFiles, lineOf, ROOT, scanSource, tsFiles } from './sourceText.js';

/** One import of a file: the specifier as written and where. */
interface ImportSite {
  specifier: string;
  line: number;
  typeOnly: boolean;
  dynamic: boolean;
}

const CLAUSE = String.raw`(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\}|[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+[\w$]+))?)`;
const STATIC = new RegExp(String.raw`(?<![\w$.])(import|export)\s+(${CLAUSE})\s*from\s*(['"])([^'"\n]+)\3`, 'g');
const BARE = /(?<![\w$.])import\s*(['"])([^'"\n]+)\1/g;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(['"`])([^'"`$\n]+)\1\s*\)/g;

/** The imports of one source text, comments excluded. */
export function importsOf(text: string): ImportSite[] {
  const { code, bare } = scanSource(text);
  const sites: Array<ImportSite & { at: number }> = [];
  // The keyword must be code: inside a string or a template `bare` has it blanked.
  for (const m of code.matchAll(STATIC)) sites.push({ at: m.index, specifier: m[4]!, line: 0, typeOnly: /^type\s/.test(m[2]!), dynamic: false });
  for (const m of code.matchAll(BARE)) sites.push({ at: m.index, specifier: m[2]!, line: 0, typeOnly: false, dynamic: false });
  for (const m of code.matchAll(DYNAMIC)) sites.push({ at: m.index, specifier: m[2]!, line: 0, typeOnly: false, dynamic: true });
  return sites.filter((s) => /^(import|export)/.test(bare.slice(s.at, s.at + 6))).sort((a, b) => a.at - b.at).map(({ at, ...site }) => ({ ...site, line: lineOf(text, at) }));
}

/** The sub-layers, lowest first; a file may import only files of its own rank or lower. */
const ORDER: Array<{ name: string; match: RegExp }> = [
  { name: 'runtime', match: /^runtime\// },
  { name: 'transports/io', match: /^transports\/io\// },
  { name: 'transports/net', match: /^transports\/net\// },
  { name: 'actors error module', match: /^actors\/actorErrors\.ts$/ },
  { name: 'actors/sync', match: /^actors\/sync\// },
  { name: 'actors (top level)', match: /^actors\/[^/]+\.ts$/ },
  { name: 'actors/remote', match: /^actors\/remote\// },
  { name: 'actors/threads', match: /^actors\/threads\// }, // worker threads as nodes of the network
  { name: 'actors/dashboard', match: /^actors\/dashboard\// }, // what runs, on a page; discoro feeds it a ClusterSource
  { name: 'actors/discoro', match: /^actors\/discoro\// }, // computations, on top of remote invocation
  { name: 'entries', match: /^(index|extend)\.ts$/ },
  { name: 'bin', match: /^bin\// },
];

/** The rank of a file in ORDER, or -1 for a file no rule places. */
function rankOf(file: string): number {
  return ORDER.findIndex((layer) => layer.match.test(file));
}

/**
 * The file `specifier` (written in `from`) means, relative to the root: a file of `sources`, else a
 * path on disk (marked "(missing)" if there is none); null for node: builtins and dependencies.
 */
function resolve(from: string, specifier: string, sources: Map<string, string>): string | null {
  if (specifier === 'asyncoro') return 'index.ts';
  if (specifier === 'asyncoro/extend') return 'extend.ts';
  if (!specifier.startsWith('.')) return null;
  const base = path.posix.join(path.posix.dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => sources.has(c)) ?? candidates.find((c) => existsSync(path.join(ROOT, c))) ?? (existsSync(path.join(ROOT, base)) ? base : `${base} (missing)`);
}

interface Edge {
  from: string;
  to: string;
  site: ImportSite;
}

const describeEdge = (e: Edge): string => `${e.from}:${e.site.line} imports ${e.to}${e.site.typeOnly ? ' (type only)' : ''}${e.site.dynamic ? ' (dynamic)' : ''}`;

/** The import edges between the files of `sources` (file → text), node: and dependencies left out. */
function edgesOf(sources: Map<string, string>): Edge[] {
  return [...sources].flatMap(([from, text]) =>
    importsOf(text).flatMap((site) => {
      const to = resolve(from, site.specifier, sources);
      return to === null ? [] : [{ from, to, site }];
    }),
  );
}

/** Strongly connected components (Tarjan), each as a sorted list of files. */
function stronglyConnected(nodes: string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/** One shortest cycle through `start` inside `component`, as a path of files ending where it starts. */
function cycleThrough(start: string, component: Set<string>, next: Map<string, string[]>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!;
    for (const w of next.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const pathBack = [v];
        while (pathBack[0] !== start) pathBack.unshift(parent.get(pathBack[0]!)!);
        return [...pathBack, start];
      }
      if (!parent.has(w) && w !== start) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const TOLERATED_CYCLE = ['runtime/Coro.ts', 'runtime/Scheduler.ts'];

/** The folder of the discoro program a file belongs to, if any. */
const PROGRAM = /^actors\/discoro\/(client|node|server)\//;

/** Which discoro program (client, node, server) a file of another program imports. */
function crossProgram(edges: Edge[]): string[] {
  return edges.flatMap((e) => {
    const from = PROGRAM.exec(e.from)?.[1];
    const to = PROGRAM.exec(e.to)?.[1];
    return from !== undefined && to !== undefined && from !== to ? [`${describeEdge(e)}: discoro's ${from} program must not import its ${to} program (share through the protocol module)`] : [];
  });
}

/** Everything wrong with the layering of `sources` (file → text), one readable line per finding. */
function checkLayers(sources: Map<string, string>): Record<'unranked' | 'unresolved' | 'outside' | 'upward' | 'programs' | 'cycles' | 'console', string[]> {
  const files = [...sources.keys()];
  const edges = edgesOf(sources);
  const inside = edges.filter((e) => sources.has(e.to));
  const next = new Map<string, string[]>();
  for (const e of inside) next.set(e.from, [...new Set([...(next.get(e.from) ?? []), e.to])]);
  const cycles = stronglyConnected(files, next)
    .filter((c) => c.length > 1 || (next.get(c[0]!) ?? []).includes(c[0]!))
    .filter((c) => c.join(' ') !== TOLERATED_CYCLE.join(' '))
    .map((c) => {
      const start = c.find((f) => !TOLERATED_CYCLE.includes(f)) ?? c[0]!;
      const cycle = cycleThrough(start, new Set(c), next);
      const sites = cycle.slice(1).map((to, k) => describeEdge(inside.find((e) => e.from === cycle[k] && e.to === to)!));
      return `${c.join(', ')} import each other, e.g. ${cycle.join(' → ')}:\n      ${sites.join('\n      ')}`;
    });
  return {
    unranked: files.filter((f) => rankOf(f) < 0),
    unresolved: edges.filter((e) => e.to.endsWith('(missing)')).map(describeEdge),
    outside: edges.filter((e) => !sources.has(e.to) && !e.to.endsWith('(missing)')).map(describeEdge),
    upward: inside
      .filter((e) => rankOf(e.to) > rankOf(e.from))
      .map((e) => `${describeEdge(e)}: ${ORDER[rankOf(e.from)]?.name ?? 'an unranked file'} must not import ${ORDER[rankOf(e.to)]?.name ?? 'an unranked file'}`),
    programs: crossProgram(inside),
    cycles,
    console: files.filter((f) => !f.startsWith('bin/')).flatMap((file) => {
      const text = sources.get(file)!;
      return [...scanSource(text).bare.matchAll(/(?<![\w$])console\s*(?:\?\.|\.|\[)/g)].map((m) => {
        const line = lineOf(text, m.index);
        return `${file}:${line}: ${text.split('\n')[line - 1]!.trim()}`;
      });
    }),
  };
}

const files = [...libraryFiles(), ...tsFiles('bin')];
const sources = new Map(files.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
const found = checkLayers(sources);
const list = (title: string, lines: string[]): string => `${title}:\n  ${lines.join('\n  ')}\n`;

describe('layers', () => {
  describe('the import parser', () => {
    it('reads static, type-only, re-export, bare and dynamic imports, across lines', () => {
      const text = [
        "import { a } from './a.js';",
        "import type { B } from '../b.js';",
        'import {\n  c,\n  type D,\n} from "./c.js";',
        "import * as e from './e.js';",
        "import f, { g } from './f.js';",
        "export { h } from './h.js';",
        "export * from './i.js';",
        "export type { J } from './j.js';",
        "import './k.js';",
        "const l = await import('./l.js');",
        'const m = await import(`./m.js`);',
      ].join('\n');
      expect(importsOf(text).map((s) => [s.specifier, s.line, s.typeOnly, s.dynamic])).to.deep.equal([
        ['./a.js', 1, false, false], ['../b.js', 2, true, false], ['./c.js', 3, false, false], ['./e.js', 7, false, false],
        ['./f.js', 8, false, false], ['./h.js', 9, false, false], ['./i.js', 10, false, false], ['./j.js', 11, true, false],
        ['./k.js', 12, false, false], ['./l.js', 13, false, true], ['./m.js', 14, false, true],
      ]);
    });

    it('ignores imports in comments and strings, and dynamic imports of computed names', () => {
      const text = [
        "// import { a } from './a.js';",
        "/** @example\n * ```ts\n * import { b } from './b.js';\n * ```\n */",
        "const s = \"import { c } from './c.js'\";",
        'const t = `import ${x} from "./d.js"`;',
        'const u = await import(name);',
        "const re = /import x from '.\\/e.js'/;",
        "const v = Array.from('abc');",
      ].join('\n');
      expect(importsOf(text)).to.deep.equal([]);
    });

    it('finds the edges the layering rests on (the spec is not vacuous)', () => {
      const edges = edgesOf(sources);
      const has = (from: string, to: string): boolean => edges.some((e) => e.from === from && e.to === to);
      expect(files.length).to.be.at.least(50);
      expect(has('actors/remote/Network.ts', 'transports/net/PeerNetwork.ts')).to.equal(true);
      expect(has('runtime/Coro.ts', 'runtime/Scheduler.ts') && has('runtime/Scheduler.ts', 'runtime/Coro.ts')).to.equal(true);
      expect(has('index.ts', 'actors/remote/Network.ts') && has('extend.ts', 'transports/net/PeerNetwork.ts')).to.equal(true);
    });

    it('reports, naming the files, an upward import, a cycle, a console call, an unranked file and a missing file', () => {
      const tree = new Map([
        ['runtime/Coro.ts', "import type { Scheduler } from './Scheduler.js';"],
        ['runtime/Scheduler.ts', "import { Coro } from './Coro.js';\n// console.log('in a comment is fine')"],
        ['runtime/A.ts', "import { B } from './B.js';\nexport const a = 1;"],
        ['runtime/B.ts', "import type { C } from './C.js';"],
        ['runtime/C.ts', "export { a } from './A.js';\nconst s = 'console.log';\nconsole.warn(s);"],
        ['transports/io/X.ts', "import { Y } from '../net/Y.js';\nimport { Z } from './Z.js';"],
        ['transports/net/Y.ts', "import { Network } from '../../actors/remote/Network.js';"],
        ['actors/sync/Lock.ts', "import { Channel } from '../Channel.js';\nimport { E } from '../actorErrors.js';"],
        ['actors/Channel.ts', "import { R } from './remote/R.js';\nimport { Lock } from './sync/Lock.js';"],
        ['actors/actorErrors.ts', ''],
        ['actors/remote/Network.ts', "import { Channel } from '../Channel.js';"],
        ['actors/remote/R.ts', ''],
        ['actors/other/Q.ts', ''],
        ['actors/discoro/protocol.ts', ''],
        ['actors/discoro/node/N.ts', "import { C } from '../client/C.js';\nimport { P } from '../protocol.js';"],
        ['actors/discoro/client/C.ts', "import type { P } from '../protocol.js';"],
        ['actors/discoro/server/S.ts', "import { N } from '../node/N.js';"],
      ]);
      const r = checkLayers(tree);
      // actors/other/ is a sub-folder no rule places: the spec says so instead of guessing its rank.
      expect(r.unranked).to.deep.equal(['actors/other/Q.ts']);
      expect(r.unresolved).to.deep.equal(['transports/io/X.ts:2 imports transports/io/Z.js (missing)']);
      expect(r.upward).to.deep.equal([
        'transports/io/X.ts:1 imports transports/net/Y.ts: transports/io must not import transports/net',
        'transports/net/Y.ts:1 imports actors/remote/Network.ts: transports/net must not import actors/remote',
        'actors/sync/Lock.ts:1 imports actors/Channel.ts: actors/sync must not import actors (top level)',
        'actors/Channel.ts:1 imports actors/remote/R.ts: actors (top level) must not import actors/remote',
      ]);
      expect(r.programs).to.deep.equal([
        "actors/discoro/node/N.ts:1 imports actors/discoro/client/C.ts: discoro's node program must not import its client program (share through the protocol module)",
        "actors/discoro/server/S.ts:1 imports actors/discoro/node/N.ts: discoro's server program must not import its node program (share through the protocol module)",
      ]);
      expect(r.cycles).to.have.length(2);
      expect(r.cycles[0]).to.match(/^runtime\/A\.ts, runtime\/B\.ts, runtime\/C\.ts import each other, e\.g\. runtime\/A\.ts → runtime\/B\.ts → runtime\/C\.ts → runtime\/A\.ts/);
      expect(r.cycles[0]).to.include('runtime/B.ts:1 imports runtime/C.ts (type only)');
      expect(r.cycles[1]).to.match(/^actors\/Channel\.ts, actors\/sync\/Lock\.ts import each other/);
      expect(r.console).to.deep.equal(['runtime/C.ts:3: console.warn(s);']);
    });
  });

  it('every library file belongs to a layer and every relative import resolves to a library file', () => {
    expect(found.unranked, 'files no layer rule places (add their folder to ORDER in spec/layers.spec.ts)').to.deep.equal([]);
    expect(found.unresolved, list('imports of files that do not exist', found.unresolved)).to.deep.equal([]);
    expect(found.outside, list('library files importing files outside the library (spec/, examples/, bench/...)', found.outside)).to.deep.equal([]);
  });

  it('imports point down: bin → entries → actors → transports → runtime, and down the sub-layers', () => {
    expect(found.upward, list('imports pointing up the layers', found.upward)).to.deep.equal([]);
  });

  it("discoro's client, node and server programs import none of each other, only the protocol they share", () => {
    expect(found.programs, list('imports across discoro programs', found.programs)).to.deep.equal([]);
    expect(files.filter((f) => PROGRAM.test(f)).length, 'the program folders exist').to.be.at.least(3);
  });

  it('no import cycle between files (type-only imports included) but runtime/Coro.ts ↔ runtime/Scheduler.ts', () => {
    expect(found.cycles, list('import cycles', found.cycles)).to.deep.equal([]);
  });

  it('library code never calls console (comments excluded; bin/ may print)', () => {
    expect(found.console, list('console in library code (log through scheduler.logger)', found.console)).to.deep.equal([]);
  });
});
