/**
 * Keeps the TSDoc examples true, as spec/readme.spec.ts does for the README: every ```ts block
 * inside an `@example` of a TSDoc comment in the library (runtime/, transports/, actors/,
 * index.ts, extend.ts) is type-checked with `tsc --noEmit`. Examples are fragments, so each
 * becomes the body of an `async function` in a generated file that imports everything index.ts
 * and extend.ts export and declares, with real types where they are obvious, the free names
 * examples use (`sched`, `coro`, `net`, `log`, ...). A call to a function or method that does not
 * exist, or with arguments of the wrong kind, fails the spec. One tsc run checks all of them.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { libraryFiles, lineOf, ROOT, scanSource } from './sourceText.js';

/** One ```ts block of an `@example`: where it is and its code (the comment's ` * ` prefixes removed). */
interface Example {
  file: string;
  /** Line of the example's first code line in `file`. */
  line: number;
  code: string;
}

/** The ```ts blocks of every `@example` in the TSDoc comments of `text`, and the `@example` tags with none. */
export function examplesOf(file: string, text: string): { examples: Example[]; empty: number[] } {
  const examples: Example[] = [];
  const empty: number[] = [];
  for (const comment of scanSource(text).comments) {
    if (!comment.text.startsWith('/**')) continue;
    const firstLine = lineOf(text, comment.start);
    const lines = comment.text.replace(/\*\/$/, '').split('\n').map((l, k) => (k === 0 ? l.replace(/^\/\*\*\s?/, '') : l.replace(/^\s*\* ?/, '')));
    let inExample = false;
    let exampleLine = 0;
    let blocks = 0;
    let block: { start: number; code: string[] } | undefined;
    const endExample = (): void => {
      if (inExample && blocks === 0) empty.push(exampleLine);
      inExample = false;
    };
    lines.forEach((l, k) => {
      if (block !== undefined) {
        if (/^\s*```\s*$/.test(l)) {
          examples.push({ file, line: block.start, code: block.code.join('\n') });
          block = undefined;
          blocks++;
        } else block.code.push(l);
        return;
      }
      const tag = /^\s*(@\w+)/.exec(l)?.[1];
      if (tag !== undefined) {
        endExample();
        if (tag === '@example') {
          inExample = true;
          exampleLine = firstLine + k;
          blocks = 0;
        }
      }
      if (inExample && /^\s*```ts\s*$/.test(l)) block = { start: firstLine + k + 1, code: [] };
    });
    endExample();
  }
  return { examples, empty };
}

/** The names a library file exports (relative to the root), split into values and types. */
function exportedNames(file: string): { values: string[]; types: string[] } {
  const { code } = scanSource(readFileSync(path.join(ROOT, file), 'utf8'));
  const values = new Set<string>();
  const types = new Set<string>();
  for (const m of code.matchAll(/^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(class|interface|type|function\*?|const|let|var|enum)\s+([\w$]+)/gm)) {
    (m[1] === 'interface' || m[1] === 'type' ? types : values).add(m[2]!);
  }
  for (const m of code.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[2]!.split(',').map((p) => p.trim()).filter(Boolean)) {
      const t = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(part);
      if (t) (m[1] || t[1] ? types : values).add(t[3] ?? t[2]!);
    }
  }
  // `export * from './x.js'`: the names of x, recursively.
  for (const m of code.matchAll(/export\s+\*\s+from\s+'([^']+)'/g)) {
    const inner = exportedNames(path.posix.join(path.posix.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    inner.values.forEach((v) => values.add(v));
    inner.types.forEach((t) => types.add(t));
  }
  return { values: [...values].sort(), types: [...types].filter((t) => !values.has(t)).sort() };
}

/** The local names an import line binds. */
function bindings(line: string): string[] {
  const names = [...(/\{([^}]*)\}/.exec(line)?.[1] ?? '').split(',').map((p) => p.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!)];
  names.push(/^\s*import\s+(?:type\s+)?([\w$]+)\s*(?:,|from)/.exec(line)?.[1] ?? '', /\*\s+as\s+([\w$]+)/.exec(line)?.[1] ?? '');
  return names.filter(Boolean);
}

const CORO = 'Coro<any, any>';
const CORO_FN = '(coro: Coro<any, any>, ...args: any[]) => Promise<unknown>';
const LIB = (file: string, name: string): string => `import('%LIB%/${file}').${name}`;

/**
 * The free names examples use, declared (unless the example binds them itself) in every wrapper:
 * receivers of calls with their real types, so that a method that does not exist fails; data
 * placeholders (`msg`, `data`, ...) as `any`.
 */
const FREE_NAMES: Record<string, string> = {
  // runtime
  sched: 'Scheduler', scheduler: 'Scheduler', coro: CORO, me: CORO, watcher: CORO, client: CORO, server: CORO, worker: CORO,
  sleeper: CORO, done: CORO, supervisor: CORO, other: CORO, coros: `${CORO}[]`, serverV2: CORO_FN, body: CORO_FN, loggerBody: CORO_FN,
  heap: LIB('runtime/TimerHeap.js', 'TimerHeap'), wait: `${LIB('runtime/Wait.js', 'Wait')}<any>`, host: LIB('runtime/coroTypes.js', 'CoroHost'),
  log: '(...args: unknown[]) => void', db: '{ close(): void }', shared: '{ count: number }',
  // actors
  lock: 'Lock', rlock: 'RLock', cond: 'Condition', event: 'Event', sem: 'Semaphore', channel: 'Channel<any>', ch: 'Channel<any>',
  sup: 'Supervisor', rci: 'Rci<any, any>', queue: 'unknown[]', threads: 'Threads', url: 'URL', counterFn: '(coro: Coro<string, number>, start: number) => Promise<number>',
  // transports
  file: 'AsyncFile', pipe: 'AsyncPipe', sock: 'AsyncSocket', conn: 'AsyncSocket', listener: 'AsyncServer', udp: 'AsyncUdpSocket',
  socket: "import('node:net').Socket", raw: "import('node:net').Socket", pool: 'WorkerPool', task: 'PoolTask', crashingTask: 'PoolTask',
  decoder: 'FrameDecoder', dec: 'FrameDecoder', writer: LIB('transports/io/SocketWriter.js', 'SocketWriter'),
  net: 'Network', network: 'PeerNetwork', peer: 'Peer', remote: 'RemoteCoro<any, any>', links: LIB('transports/net/PeerLinks.js', 'PeerLinks'),
  locator: 'PeerLocator', codec: 'Codec', ctx: 'WireContext', logger: 'Logger',
  location: 'Location', loc: 'Location', peerLocation: 'Location', oldNode: 'Location', port: 'number', closedPort: 'number', busyPort: 'number',
  secret: 'any', cert: 'string', key: 'string', caPem: 'string', wrongCa: 'string', destDir: 'string',
  controller: 'AbortController', ac: 'AbortController', signal: 'AbortSignal',
  // data and callbacks whose shape the example does not care about
  msg: 'any', job: 'any', data: 'any', payload: 'any', item: 'any', obj: 'any', buf: 'Buffer', chunk: 'Buffer', leftover: 'Buffer',
  err: 'unknown', opts: 'any', options: 'any', settings: 'any', subject: 'any', frame: 'any', watchId: 'number', n: 'number', name: 'string',
  fn: 'any', handle: '(x: any) => void', wake: '() => void', restart: '(reason: unknown) => void', download: '() => Promise<void>',
  accept: '(socket: any) => void', onFrame: 'any', onClosed: 'any', datagram: 'Buffer',
  keys: 'any', serverOptions: 'any', clientOptions: 'any',
  nodeId: 'string', targets: 'any', ping: 'any', onPing: 'any', self: 'any', macKey: 'any', version: 'any', binding: 'any', reader: 'any',
};

/** Names that mean something else in one module's examples. */
const FREE_NAMES_IN: Record<string, Record<string, string>> = {
  'actors/Supervisor.ts': { worker: CORO_FN, listener: CORO_FN, cache: CORO_FN, dbWorker: CORO_FN },
  'actors/childSpec.ts': { worker: CORO_FN, dbWorker: CORO_FN },
  'actors/ChildTable.ts': { worker: CORO_FN },
  'actors/Pool.ts': { worker: CORO_FN, pool: 'Pool<any>' },
  'actors/actorErrors.ts': { dbWorker: CORO_FN },
  'transports/io/AsyncServer.ts': { server: 'AsyncServer', handle: '(coro: Coro<any, any>, conn: AsyncSocket) => Promise<void>' },
  'actors/remote/RemoteChannel.ts': { remote: 'RemoteChannel<any>' },
  'runtime/runtimeErrors.ts': { a: CORO, b: CORO },
  'runtime/schedulerSnapshot.ts': {
    source: 'SnapshotSource', coroNames: 'SnapshotSource["coroNames"]', channelNames: 'SnapshotSource["channelNames"]', counters: 'SnapshotSource["counters"]',
  },
  'runtime/metrics.ts': { res: "import('node:http').ServerResponse", metrics: 'Metric[]' },
  'actors/ask.ts': { squarer: 'Coro<{ x: number; replyTo: Address<number> }, void>' },
  'transports/io/HttpServer.ts': { server: 'HttpServer' },
  'actors/dashboard/dashboardGets.ts': {
    context: LIB('actors/dashboard/dashboardGets.js', 'GetContext'), req: "import('node:http').IncomingMessage", res: "import('node:http').ServerResponse",
    info: LIB('actors/dashboard/dashboardGets.js', 'DashboardInfo'), openStream: '() => void', openClusterStream: '() => void',
  },
  'transports/io/WorkerThread.ts': { thread: 'WorkerThread' },
  'actors/threads/placement.ts': { slots: "import('%LIB%/actors/threads/ThreadSlot.js').ThreadSlot[]" },
  'transports/io/ForkedProcess.ts': { child: 'ForkedProcess', spare: 'ForkedProcess', serverCoro: CORO },
  'actors/discoro/node/DiscoroNode.ts': { node: 'DiscoroNode' },
  'actors/discoro/node/NodeComputation.ts': { host: LIB('actors/discoro/node/NodeComputation.js', 'ComputationHost'), client: LIB('actors/discoro/node/nodeEvents.js', 'ClientRef'), computations: 'Supervisor' },
  'actors/discoro/node/NodeMain.ts': { deps: LIB('actors/discoro/node/NodeMain.js', 'NodeDeps'), top: 'Supervisor', computations: 'Supervisor', host: LIB('actors/discoro/node/NodeComputation.js', 'ComputationHost'), events: 'Channel<any>', measure: '() => Promise<any>' },
  'actors/discoro/node/ServerOwner.ts': { ctx: LIB('actors/discoro/node/ServerOwner.js', 'ServerContext'), slot: LIB('actors/discoro/node/ServerOwner.js', 'ServerSlot'), comp: LIB('actors/discoro/node/NodeComputation.js', 'NodeComputation') },
  'actors/discoro/node/SpareServers.ts': { serverMain: 'string' },
  'actors/discoro/node/clientStatus.ts': { change: LIB('actors/discoro/node/nodeEvents.js', 'NodeChange'), events: 'Channel<any>', CLIENT_EVENT: 'string' },
  'actors/discoro/node/nodeMessages.ts': { replyTo: 'any', comp: LIB('actors/discoro/node/NodeComputation.js', 'NodeComputation'), manifest: 'any' },
  'actors/discoro/node/nodeRequests.ts': { mainCoro: CORO, node: 'DiscoroNode' },
  'actors/discoro/node/FailedJobs.ts': { top: 'Supervisor', events: 'Channel<any>' },
  'actors/discoro/node/PeerNodes.ts': { top: 'Supervisor' },
  'actors/discoro/node/NodeDashboard.ts': { node: 'DiscoroNode' },
  'actors/discoro/node/pidFile.ts': { events: 'Channel<any>', root: 'string', node: 'DiscoroNode' },
};

describe('TSDoc examples', function () {
  this.timeout(120_000);
  const files = libraryFiles();
  const found = files.map((f) => examplesOf(f, readFileSync(path.join(ROOT, f), 'utf8')));
  const examples = found.flatMap((f) => f.examples);
  let dir: string | undefined;

  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('the extractor reads ```ts blocks of @example tags only, with their lines', () => {
    const text = [
      '/**',
      ' * Summary.',
      ' * ```ts',
      ' * notAnExample();',
      ' * ```',
      ' * @example',
      ' * ```ts',
      ' * first();',
      ' *   indented();',
      ' * ```',
      ' * @param x the input',
      ' */',
      '/** @example',
      ' * ```ts',
      ' * second();',
      ' * ```',
      ' * @example',
      ' * no block here',
      ' */',
      '// @example',
    ].join('\n');
    expect(examplesOf('f.ts', text)).to.deep.equal({
      examples: [{ file: 'f.ts', line: 8, code: 'first();\n  indented();' }, { file: 'f.ts', line: 15, code: 'second();' }],
      empty: [17],
    });
  });

  it('every @example of the library holds a ```ts block', () => {
    const empty = files.flatMap((f, k) => found[k]!.empty.map((line) => `${f}:${line}`));
    expect(examples.length).to.be.at.least(200);
    expect(empty, `@example tags without a \`\`\`ts block:\n  ${empty.join('\n  ')}\n`).to.deep.equal([]);
  });

  /** Examples the spec makes up to show that a wrong call fails and a right one passes. */
  const PROBES: Example[] = [
    { file: '(probe)', line: 1, code: "const c = sched.spawn(async (coro) => coro.receive({ timeout: 10 }));\nlog(await c.finish({ timeout: 100, alarm: 'late' }));" },
    { file: '(probe)', line: 2, code: 'sched.noSuchMethod();' },
    { file: '(probe)', line: 3, code: "await coro.receive({ timeout: 'soon' });" },
    { file: '(probe)', line: 4, code: 'await lock.acquire();' },
    { file: '(probe)', line: 5, code: "const r = await Rci.locate('x'); await r?.noSuchCall(1);" },
  ];
  let problems: string[] = [];

  /** Writes one wrapper per example (the probes included) and runs tsc once over all of them. */
  async function typeCheck(all: Example[]): Promise<string[]> {
    // Inside the repo, so that the library's dependencies (pino, cbor-x) resolve as they do for it.
    dir = mkdtempSync(path.join(ROOT, 'dist', '.tsdoc-examples-'));
    const index = exportedNames('index.ts');
    const extend = exportedNames('extend.ts');
    const rel = (file: string): string => path.relative(dir!, path.join(ROOT, file)).split(path.sep).join('/').replace(/\.ts$/, '.js');
    const libRoot = path.relative(dir, ROOT).split(path.sep).join('/');
    const sources = new Map<string, { example: Example; offset: number }>();
    all.forEach((example, k) => {
      // The example's own import lines go to the top of the file; the names they bind are not imported again.
      const lines = example.code.split('\n');
      const imports = lines.filter((l) => /^\s*import\s/.test(l));
      const bound = new Set(imports.flatMap(bindings));
      const taken = new Set(bound);
      /** An import line of the names of `names` not bound yet (each name is imported once). */
      const importLine = (names: { values: string[]; types: string[] }, file: string): string[] => {
        const list = [...names.values.filter((n) => !taken.has(n)), ...names.types.filter((n) => !taken.has(n)).map((n) => `type ${n}`)];
        [...names.values, ...names.types].forEach((n) => taken.add(n));
        return list.length === 0 ? [] : [`import { ${list.join(', ')} } from '${rel(file)}';`];
      };
      const header = [
        ...imports,
        ...importLine(index, 'index.ts'),
        ...importLine(extend, 'extend.ts'),
        // An example may use what its own module exports (internal modules document internal API).
        ...(files.includes(example.file) ? importLine(exportedNames(example.file), example.file) : []),
        ...(taken.has('pino') ? [] : ["import { pino } from 'pino';"]),
        ...Object.entries({ ...FREE_NAMES, ...FREE_NAMES_IN[example.file] })
          .filter(([n]) => !taken.has(n))
          .map(([n, type]) => `declare const ${n}: ${type.replaceAll('%LIB%', libRoot)};`),
        'export async function example() {',
      ].join('\n');
      // `export` cannot appear in a function body: an example declaring a module's export loses the keyword.
      const body = lines.map((l) => (/^\s*import\s/.test(l) ? '' : l.replace(/^export\s+/, ''))).join('\n');
      const name = `example${String(k).padStart(3, '0')}.ts`;
      writeFileSync(path.join(dir!, name), `${header}\n${body}\n}\n`);
      sources.set(name, { example, offset: header.split('\n').length });
    });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'ESNext.Disposable'], strict: true, noEmit: true, skipLibCheck: true,
        types: ['node'],
        paths: { asyncoro: [path.join(ROOT, 'index.ts')], 'asyncoro/extend': [path.join(ROOT, 'extend.ts')] },
      },
      files: [...sources.keys()],
    }, null, 2));
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
    const { stdout } = await promisify(execFile)(tsc, ['-p', dir, '--pretty', 'false'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}${err.stderr ?? ''}` }));
    // One diagnostic per line; its details follow on indented lines.
    const diagnostics = stdout.split('\n').filter((l) => l.trim() !== '').reduce<string[]>((acc, l) => {
      if (/^\s/.test(l) && acc.length > 0) acc[acc.length - 1] += `\n      ${l.trim()}`;
      else acc.push(l);
      return acc;
    }, []);
    return diagnostics.map((l) => {
      const m = /^(example\d+\.ts)\((\d+),(\d+)\): ([\s\S]*)$/.exec(l);
      const at = m ? sources.get(m[1]!) : undefined;
      if (!m || !at) return l; // an error outside the examples (the wrapper, the library): shown as it is
      const lineInExample = Number(m[2]) - at.offset - 1;
      const original = at.example.code.split('\n')[lineInExample]?.trim() ?? '';
      return `${at.example.file}:${at.example.line + lineInExample}: ${m[4]}\n      ${original}`;
    });
  }

  before(async () => {
    problems = await typeCheck([...PROBES, ...examples]);
  });

  it('a made-up example calling a method that does not exist, or with wrong arguments, fails; a right one passes', () => {
    const probes = problems.filter((p) => p.startsWith('(probe)')).map((p) => p.split(' error ')[0]);
    expect(probes).to.deep.equal(['(probe):2:', '(probe):3:', '(probe):4:', '(probe):5:']);
    expect(problems.find((p) => p.startsWith('(probe):2:'))).to.include("Property 'noSuchMethod' does not exist on type 'Scheduler'");
  });

  it('every example type-checks against index.ts, extend.ts and its own module (tsc --noEmit)', () => {
    const real = problems.filter((p) => !p.startsWith('(probe)'));
    expect(real, `TSDoc examples that do not type-check:\n  ${real.join('\n  ')}\n`).to.deep.equal([]);
  });
});
