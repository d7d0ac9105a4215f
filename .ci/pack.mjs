#!/usr/bin/env node
/**
 * Builds the package as `npm pack` ships it: `node .ci/pack.mjs` (the `prepack` script) into
 * `lib/`, or `node .ci/pack.mjs --out DIR` into `DIR/lib` with `DIR/package.json`, `README.md`
 * and `LICENSE` beside it (a package folder, for spec/pack.spec.ts and bench/threadsStart.ts).
 *
 * tsc emits `lib/` one file per module, with the declarations (`.d.ts`, kept as they are); then
 * esbuild bundles the JavaScript: the entry modules (the package's index and extend, the CLI, and
 * the files started by URL: a thread's entry, a WorkerPool thread's, a discoro server's) stay at
 * their paths, and the code they share goes to a few chunks under `lib/chunks/` (code splitting),
 * so that every entry, in any thread or process, runs the same module instances (a module placed
 * on a thread imports `asyncoro`: its `Scheduler.default()`, classes and registries are the
 * thread's own). Node 20 loads ~0.5 ms per ES module (no compile cache between isolates): a
 * thread loads a handful of files instead of ~70. What `import()` loads on first need (the TCP
 * side of a network) gets a chunk of its own. Every other `.js` of `lib/` is removed.
 *
 * Code moved into a chunk keeps its `import.meta.url`: each use becomes the URL of the module's
 * original file (computed from where its chunk lands), so `new URL('./threadMain.js',
 * import.meta.url)`, `createRequire(import.meta.url)` and the package-root paths of discoro keep
 * pointing where they did.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The modules a user imports or Node starts by path: each stays a file at its path. */
const ENTRIES = ['index.js', 'extend.js', 'bin/discoronode.js', 'actors/threads/threadMain.js', 'transports/io/workerEntry.js', 'actors/discoro/server/serverMain.js'];

/** Every file under `dir`, as paths. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** Replaces the one-file-per-module JavaScript of `libDir` with entries and shared chunks. */
async function bundleLib(libDir) {
  const staging = `${libDir}.bundle`;
  rmSync(staging, { recursive: true, force: true });
  const options = {
    absWorkingDir: libDir,
    entryPoints: ENTRIES.map((e) => path.join(libDir, e)),
    outbase: libDir,
    outdir: staging,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  };
  // First pass: where each module lands (the second lands them in the same files: it only
  // rewrites import.meta.url, which changes no import).
  const first = await build({ ...options, write: false });
  const landed = new Map();
  for (const [output, { inputs }] of Object.entries(first.metafile.outputs)) {
    const final = path.join(libDir, path.relative(staging, path.resolve(libDir, output)));
    for (const input of Object.keys(inputs)) landed.set(path.resolve(libDir, input), final);
  }
  const ownUrls = {
    name: 'own-urls',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async ({ path: file }) => {
        const text = readFileSync(file, 'utf8');
        const final = landed.get(file);
        if (!text.includes('import.meta.url') || final === undefined || final === file) return undefined;
        // define replaces the expression only, never text in strings or comments.
        const { code } = await transform(text, { loader: 'js', format: 'esm', target: 'node20', define: { 'import.meta.url': '__ownModuleUrl' } });
        if (!code.includes('__ownModuleUrl')) return undefined; // named in text only
        const relative = path.relative(path.dirname(final), file).split(path.sep).join('/');
        const own = relative.startsWith('../') ? relative : `./${relative}`;
        return { contents: `const __ownModuleUrl = new URL(${JSON.stringify(own)}, import.meta.url).href;\n${code}`, loader: 'js' };
      });
    },
  };
  const result = await build({ ...options, plugins: [ownUrls] });
  const moved = Object.keys(result.metafile.outputs).map((o) => path.relative(staging, path.resolve(libDir, o)));
  for (const file of filesUnder(libDir)) if (file.endsWith('.js') || file.endsWith('.js.map')) rmSync(file);
  cpSync(staging, libDir, { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  return moved;
}

/** tsc into `libDir` (JavaScript and declarations), then the bundle. */
async function packLib(libDir) {
  rmSync(libDir, { recursive: true, force: true });
  // typescript's own bin script, run by this node (no shell, on any platform).
  const tscBin = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  const tsc = spawnSync(process.execPath, [tscBin, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', libDir], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc failed (${tsc.status ?? tsc.signal})`);
  return bundleLib(libDir);
}

const at = process.argv.indexOf('--out');
if (at !== -1 && process.argv[at + 1] === undefined) throw new Error('usage: node .ci/pack.mjs [--out DIR]');
const out = at === -1 ? ROOT : path.resolve(process.argv[at + 1]);
mkdirSync(out, { recursive: true });
const files = await packLib(path.join(out, 'lib'));
if (out !== ROOT) {
  for (const file of ['package.json', 'README.md', 'LICENSE']) copyFileSync(path.join(ROOT, file), path.join(out, file));
}
// On stderr: npm passes prepack's stdout through into `npm pack --json`, whose output must stay JSON.
process.stderr.write(`${path.join(out, 'lib')}: ${files.length} JavaScript files (${files.filter((f) => f.startsWith('chunks')).length} shared chunks)\n`);
