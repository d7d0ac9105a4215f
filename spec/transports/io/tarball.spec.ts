import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { TarballError } from '../../../transports/io/ioErrors.js';
import { extractTarball, readTarballFile, tarEntries, tarEntriesSync } from '../../../transports/io/tarball.js';

/** One entry of a tarball made by the spec: a path, a type flag ('0' file, '5' folder, '2' symlink...), data or a link target. */
interface Entry {
  name: string;
  type?: string;
  data?: string | Buffer;
  link?: string;
  mode?: number;
  size?: number;
}

function header(name: string, type: string, size: number, options: { link?: string; mode?: number; prefix?: string } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(`${(options.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  if (options.link !== undefined) h.write(options.link, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  if (options.prefix !== undefined) h.write(options.prefix, 345, 155);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function pad(data: Buffer): Buffer {
  return data.length % 512 === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - (data.length % 512))]);
}

/** A gzipped tarball of `entries` (with the two end blocks unless `truncate`). */
function tarball(entries: Entry[], options: { truncate?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    parts.push(header(e.name, e.type ?? '0', e.size ?? data.length, { link: e.link, mode: e.mode }), pad(data));
  }
  if (options.truncate !== true) parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A pax extended header carrying `path` for the next entry. */
function paxPath(p: string): Entry {
  const body = (len: number): string => `${len} path=${p}\n`;
  let len = body(0).length;
  while (body(len).length !== len) len = body(len).length;
  return { name: 'PaxHeader', type: 'x', data: body(len) };
}

describe('tarball', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tarball-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, data: Buffer): string => {
    const f = path.join(dir, name);
    writeFileSync(f, data);
    return f;
  };
  const LIMITS = { maxBytes: 1 << 20 };

  it('extracts what npm pack makes (package/ stripped), with long paths through pax and GNU headers, and reads one file of it', async () => {
    const pkg = path.join(dir, 'pkg');
    mkdirSync(path.join(pkg, 'lib'), { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'made-here', version: '1.2.3', type: 'module', main: 'lib/index.js' }));
    writeFileSync(path.join(pkg, 'lib', 'index.js'), 'export const made = "here";\n');
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkg, env: { ...process.env, npm_config_offline: 'true' } });
    const packed = path.join(dir, 'made-here-1.2.3.tgz');
    const out = path.join(dir, 'out', 'made-here');
    expect(await extractTarball(packed, out, LIMITS)).to.include({ files: 2 });
    expect(readFileSync(path.join(out, 'lib', 'index.js'), 'utf8')).to.include('made');
    expect(JSON.parse(String(await readTarballFile(packed, 'package.json', LIMITS))).name).to.equal('made-here');
    expect(await readTarballFile(packed, 'missing.json', LIMITS)).to.equal(undefined);

    const deep = `package/${'d'.repeat(90)}/${'e'.repeat(90)}/file.txt`;
    const long = write('long.tgz', tarball([paxPath(deep), { name: 'ignored', data: 'pax' }, { name: '././@LongLink', type: 'L', data: `package/${'g'.repeat(120)}.txt` }, { name: 'ignored2', data: 'gnu' }]));
    const names: string[] = [];
    for await (const e of tarEntries(long, LIMITS)) names.push(e.path.join('/'));
    expect(names).to.deep.equal([deep.slice('package/'.length), `${'g'.repeat(120)}.txt`]);
  });

  it('modes keep their permission bits (owner rw at least), never set-id bits', async () => {
    const f = write('modes.tgz', tarball([{ name: 'package/run.sh', data: '#!/bin/sh\n', mode: 0o4755 }, { name: 'package/ro.txt', data: 'x', mode: 0o444 }]));
    await extractTarball(f, path.join(dir, 'out'), LIMITS);
    expect(statSync(path.join(dir, 'out', 'run.sh')).mode & 0o7777).to.equal(0o755);
    expect(statSync(path.join(dir, 'out', 'ro.txt')).mode & 0o7777).to.equal(0o644);
  });

  const refused: Array<[string, () => Buffer, RegExp, TarballOptions?]> = [
    ['a path with ..', () => tarball([{ name: 'package/../../escape.txt', data: 'x' }]), /leaves its folder/],
    ['a pax path with ..', () => tarball([paxPath('package/a/../../../escape.txt'), { name: 'package/ok.txt', data: 'x' }]), /leaves its folder/],
    ['an absolute path', () => tarball([{ name: '/etc/escape.txt', data: 'x' }]), /not a relative path/],
    ['a symbolic link', () => tarball([{ name: 'package/link', type: '2', link: '/etc/passwd' }]), /is a link/],
    ['a hard link', () => tarball([{ name: 'package/link', type: '1', link: 'package/other' }]), /is a link/],
    ['a device', () => tarball([{ name: 'package/dev', type: '3' }]), /special file/],
    ['a FIFO', () => tarball([{ name: 'package/fifo', type: '6' }]), /special file/],
    ['more bytes than allowed', () => tarball([{ name: 'package/a.txt', data: Buffer.alloc(600) }, { name: 'package/b.txt', data: Buffer.alloc(600) }]), /more than 1000 bytes/, { maxBytes: 1000 }],
    ['a size beyond the data (a bomb that claims more)', () => tarball([{ name: 'package/big', data: 'x', size: 2 ** 30 }]), /more than|truncated/],
    ['more entries than allowed', () => tarball(Array.from({ length: 5 }, (_, k) => ({ name: `package/f${k}`, data: 'x' }))), /more than 3 entries/, { maxBytes: 1 << 20, maxEntries: 3 }],
    ['a truncated archive', () => tarball([{ name: 'package/a.txt', data: 'x' }], { truncate: true }), /truncated/],
    ['a corrupt header', () => gzipSync(Buffer.concat([Buffer.alloc(512, 7), Buffer.alloc(1024)])), /checksum/],
    ['bytes that are not gzip', () => Buffer.from('just text, not a tarball'), /not a gzipped tarball/],
    ['a duplicate entry', () => tarball([{ name: 'package/a.txt', data: 'x' }, { name: 'package/a.txt', data: 'y' }]), /cannot be written/],
  ];
  type TarballOptions = { maxBytes: number; maxEntries?: number };
  for (const [what, make, message, limits] of refused) {
    it(`refuses ${what}: TarballError, and nothing is left`, async () => {
      const f = write('bad.tgz', make());
      const out = path.join(dir, 'out');
      const err = await extractTarball(f, out, limits ?? LIMITS).catch((e: unknown) => e);
      expect(TarballError.is(err), String(err)).to.equal(true);
      expect((err as Error).message).to.match(message);
      expect(existsSync(out)).to.equal(false);
      expect(readdirSync(dir).sort()).to.deep.equal(['bad.tgz']);
    });
  }

  it('a zip bomb stops at the limit: a 64 MiB file of zeros against 1 MiB', async () => {
    const zeros = Buffer.alloc(64 << 20);
    const f = write('bomb.tgz', tarball([{ name: 'package/zeros', data: zeros }]));
    expect(statSync(f).size).to.be.below(200_000);
    const err = await extractTarball(f, path.join(dir, 'out'), LIMITS).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/more than 1048576 bytes/);
    expect(existsSync(path.join(dir, 'out'))).to.equal(false);
  });

  it('tarEntriesSync reads one held in memory the same way; what is unsafe is refused the same; a bomb stops at the bound of what it inflates', () => {
    const entries = tarEntriesSync(tarball([{ name: 'package/package.json', data: '{"name":"x"}' }, { name: 'package/lib', type: '5' }]), LIMITS);
    expect(entries.map((e) => [e.kind, e.path.join('/')])).to.deep.equal([['file', 'package.json'], ['dir', 'lib']]);
    expect(() => tarEntriesSync(tarball([{ name: 'package/../x', data: 'x' }]), LIMITS)).to.throw(TarballError, /leaves its folder/);
    expect(() => tarEntriesSync(tarball([{ name: 'package/a', data: 'x' }], { truncate: true }), LIMITS)).to.throw(TarballError, /truncated/);
    expect(() => tarEntriesSync(Buffer.from('text'), LIMITS)).to.throw(TarballError, /not a gzipped tarball/);
    expect(() => tarEntriesSync(gzipSync(Buffer.alloc(64 << 20)), { maxBytes: 1 << 20, maxEntries: 10 })).to.throw(TarballError, /more than 1048576 bytes/);
  });

  it('never writes through a link already at the destination: the destination must be new', async () => {
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'out'));
    const f = write('ok.tgz', tarball([{ name: 'package/a.txt', data: 'x' }]));
    const err = await extractTarball(f, path.join(dir, 'out'), LIMITS).catch((e: unknown) => e);
    expect(TarballError.is(err)).to.equal(true);
    expect(readdirSync(path.join(dir, 'elsewhere'))).to.deep.equal([]);
  });
});
