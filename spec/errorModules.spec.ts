/** Every error module of the project: one per area, unique stable codes, and codes that survive the wire. */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as actorErrors from '../actors/actorErrors.js';
import * as dashboardErrors from '../actors/dashboard/dashboardErrors.js';
import { AsyncoroError } from '../runtime/runtimeErrors.js';
import * as runtimeErrors from '../runtime/runtimeErrors.js';
import * as ioErrors from '../transports/io/ioErrors.js';
import { Codec } from '../transports/net/Codec.js';
import * as netErrors from '../transports/net/netErrors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODULES: Record<string, Record<string, unknown>> = {
  'runtime/runtimeErrors.ts': runtimeErrors,
  'actors/actorErrors.ts': actorErrors,
  'actors/dashboard/dashboardErrors.ts': dashboardErrors,
  'transports/io/ioErrors.ts': ioErrors,
  'transports/net/netErrors.ts': netErrors,
};
type ErrorClass = (abstract new (...args: any[]) => AsyncoroError) & { CODE?: string; is(e: unknown): boolean; name: string };

/** An instance of `C`, whatever its constructor's shape. */
function instance(C: ErrorClass): AsyncoroError {
  const Concrete = C as unknown as new (...args: any[]) => AsyncoroError;
  if (C === ioErrors.FrameTooLargeError) return new Concrete(10, 5);
  if (C === netErrors.RemoteError) return new Concrete('TypeError', undefined, 'remote');
  if (C === ioErrors.SocketError) return new Concrete('ERR_SOCKET_IO', 'io');
  return new Concrete('boom');
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

describe('error modules', () => {
  const seen = new Set<unknown>();
  // A class one area's module re-exports from another's (NotOwnerError: runtime and actors) counts once.
  const classes = Object.entries(MODULES).flatMap(([file, mod]) =>
    Object.values(mod)
      .filter((v): v is ErrorClass => typeof v === 'function' && v !== AsyncoroError && (v as ErrorClass).prototype instanceof AsyncoroError && !seen.has(v) && (seen.add(v), true))
      .map((C) => ({ file, C })),
  );

  it('one module per area holds every error class of the library', () => {
    const declared = ['runtime', 'actors', 'transports'].flatMap((top) => sources(path.join(root, top)))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^export class (\w+(?:Error|Request)) /gm)].map((m) => ({ file: path.relative(root, file), name: m[1] })));
    const outside = declared.filter((d) => MODULES[d.file] === undefined);
    expect(outside, 'error classes outside the error modules').to.deep.equal([]);
    expect(declared.map((d) => d.name)).to.include.members(classes.map(({ C }) => C.name));
  });

  it('every code is unique and ERR_[A-Z_]+ (a subclass may refine its parent under the same code)', () => {
    for (const { C } of classes) expect(instance(C).code, C.name).to.match(/^ERR_[A-Z_]+$/);
    const refines = (C: ErrorClass): boolean => classes.some(({ C: D }) => C.prototype instanceof D && D.CODE === C.CODE);
    const own = classes.filter(({ C }) => C.CODE !== undefined && !refines(C));
    expect(own.length).to.be.at.least(40);
    const codes = own.map(({ C }) => C.CODE);
    expect(new Set(codes).size).to.equal(codes.length);
  });

  it('every error survives a round trip through the wire codec and is still recognised by is()', () => {
    const codec = new Codec();
    for (const { C } of classes) {
      const err = instance(C);
      const back = codec.decode(codec.encode(err)) as AsyncoroError;
      expect(back).to.be.instanceOf(netErrors.RemoteError);
      expect(back.code, C.name).to.equal(err.code);
      if (C !== ioErrors.SocketError) expect(C.is(back), `${C.name}.is(decoded)`).to.equal(true);
    }
  });
});
