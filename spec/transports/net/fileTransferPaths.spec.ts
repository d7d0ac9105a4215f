import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkFileName, checkRelativeDir, defaultDestDir, isInside, resolveFolder, sha256File } from '../../../transports/net/fileTransferPaths.js';
import { PathNotAllowedError } from '../../../transports/net/netErrors.js';
import { expectError } from '../../helpers.js';

describe('fileTransferPaths', () => {
  let root: string;
  let outside: string;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'asyncoro-paths-')));
    outside = await realpath(await mkdtemp(path.join(tmpdir(), 'asyncoro-outside-')));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('defaultDestDir: <tmpdir>/asyncoro/<name>, unsafe characters replaced', () => {
    expect(defaultDestDir('127.0.0.1:9705')).to.equal(path.join(tmpdir(), 'asyncoro', '127.0.0.1_9705'));
    expect(defaultDestDir('../../etc')).to.equal(path.join(tmpdir(), 'asyncoro', '.._.._etc'));
    expect(path.dirname(defaultDestDir('a/b\\c d'))).to.equal(path.join(tmpdir(), 'asyncoro'));
  });

  it('checkFileName: plain names pass; paths, dot names, NUL, empty, too long and non-strings are PathNotAllowedError', () => {
    for (const ok of ['report.pdf', '.hidden', 'a b', 'x'.repeat(200)]) expect(checkFileName(ok)).to.equal(ok);
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(201), 5, null, undefined]) {
      expect(() => checkFileName(bad), String(bad).slice(0, 20)).to.throw(PathNotAllowedError);
    }
  });

  it('checkRelativeDir: segments of a relative folder; absolute, .., backslash, NUL and drive letters are PathNotAllowedError', () => {
    expect(checkRelativeDir(undefined)).to.deep.equal([]);
    expect(checkRelativeDir(null)).to.deep.equal([]);
    expect(checkRelativeDir('')).to.deep.equal([]);
    expect(checkRelativeDir('a/b')).to.deep.equal(['a', 'b']);
    expect(checkRelativeDir('./a//b/')).to.deep.equal(['a', 'b']);
    for (const bad of ['/etc', '../x', 'a/../../x', 'a/..', 'a\\b', 'a\0', 'C:stuff', 'x'.repeat(1025), `a/${'y'.repeat(201)}`, 5]) {
      expect(() => checkRelativeDir(bad), String(bad).slice(0, 20)).to.throw(PathNotAllowedError);
    }
  });

  it('isInside: the root itself and what is below it, nothing else', () => {
    expect(isInside('/r', '/r')).to.equal(true);
    expect(isInside('/r', '/r/a/b')).to.equal(true);
    expect(isInside('/r', '/r2')).to.equal(false);
    expect(isInside('/r', '/')).to.equal(false);
    expect(isInside('/r', '/r/../s')).to.equal(false);
  });

  it('resolveFolder: creates missing folders when asked, else undefined; an existing file on the way is PathNotAllowedError', async () => {
    expect(await resolveFolder(root, ['a', 'b'], false)).to.equal(undefined);
    expect(await resolveFolder(root, ['a', 'b'], true)).to.equal(path.join(root, 'a', 'b'));
    expect(await resolveFolder(root, ['a', 'b'], false)).to.equal(path.join(root, 'a', 'b'));
    expect(await resolveFolder(root, [], false)).to.equal(root);
    await writeFile(path.join(root, 'file'), 'x');
    await expectError(() => resolveFolder(root, ['file', 'c'], true), PathNotAllowedError);
  });

  it('resolveFolder: a symbolic link is followed only while its target stays inside the root', async () => {
    await mkdir(path.join(root, 'real'));
    await symlink(path.join(root, 'real'), path.join(root, 'inside-link'));
    await symlink(outside, path.join(root, 'outside-link'));
    expect(await resolveFolder(root, ['inside-link'], false)).to.equal(path.join(root, 'real'));
    await expectError(() => resolveFolder(root, ['outside-link'], true), PathNotAllowedError);
    await expectError(() => resolveFolder(root, ['outside-link', 'deeper'], true), PathNotAllowedError);
    await writeFile(path.join(root, 'real', 'f'), 'x');
    await symlink(path.join(root, 'real', 'f'), path.join(root, 'file-link'));
    await expectError(() => resolveFolder(root, ['file-link'], false), PathNotAllowedError);
  });

  it('sha256File: the digest of the whole file, or of its first bytes', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
    const file = path.join(root, 'big');
    await writeFile(file, data);
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(await sha256File(file)).to.equal(digest(data));
    expect(await sha256File(file, 1000)).to.equal(digest(data.subarray(0, 1000)));
    await writeFile(path.join(root, 'empty'), '');
    expect(await sha256File(path.join(root, 'empty'))).to.equal(digest(Buffer.alloc(0)));
  });
});
