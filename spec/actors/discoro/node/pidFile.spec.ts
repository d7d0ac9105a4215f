import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordServerPids, takeFolder } from '../../../../actors/discoro/node/pidFile.js';
import { NodeFolderInUseError } from '../../../../actors/actorErrors.js';

describe('pidFile', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'asyncoro-pid-')), 'node');
  });
  afterEach(() => {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGKILL');
  });
  const pidFile = (): string => path.join(dir, 'discoronode.pid');

  it('takes a fresh folder (created) with this process\'s pid; the release removes the pid files', () => {
    const release = takeFolder(dir, { clean: false });
    expect(readFileSync(pidFile(), 'utf8')).to.equal(`${process.pid}\n`);
    recordServerPids(dir, [11, 12]);
    expect(readFileSync(path.join(dir, 'servers.pids'), 'utf8')).to.equal('11\n12');
    release();
    expect(existsSync(pidFile())).to.equal(false);
    expect(existsSync(path.join(dir, 'servers.pids'))).to.equal(false);
  });

  it('a folder held by a live process is NodeFolderInUseError, even with clean', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(holder);
    await new Promise((resolve) => holder.once('spawn', resolve));
    takeFolder(dir, { clean: false })();
    writeFileSync(pidFile(), `${holder.pid}\n`);
    expect(() => takeFolder(dir, { clean: false })).to.throw(NodeFolderInUseError, new RegExp(`in use by discoronode pid ${holder.pid}`));
    expect(() => takeFolder(dir, { clean: true })).to.throw(NodeFolderInUseError);
    expect(readFileSync(pidFile(), 'utf8')).to.equal(`${holder.pid}\n`);
  });

  it('a folder left by a process that is gone needs clean, which empties it first', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    children.push(gone);
    await new Promise((resolve) => gone.once('exit', resolve));
    takeFolder(dir, { clean: false })();
    writeFileSync(pidFile(), `${gone.pid}\n`);
    writeFileSync(path.join(dir, 'leftover.txt'), 'from the dead node');
    expect(() => takeFolder(dir, { clean: false })).to.throw(NodeFolderInUseError, /--clean/);
    const release = takeFolder(dir, { clean: true });
    expect(existsSync(path.join(dir, 'leftover.txt'))).to.equal(false);
    expect(readFileSync(pidFile(), 'utf8')).to.equal(`${process.pid}\n`);
    release();
  });

  it('recordServerPids into a folder being removed does not throw', () => {
    expect(() => recordServerPids(path.join(dir, 'no', 'such'), [1])).to.not.throw();
  });
});
