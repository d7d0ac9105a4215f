/**
 * Keeps README.md true: every snippet it quotes with a `<!-- snippet: path -->`
 * marker must equal that file, and every such file must run and print what its
 * `// prints:` line says (lines separated by " / ").
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const marker = /<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)```/g;
const snippets = [...readme.matchAll(marker)].map((m) => ({ file: m[1]!, code: m[2]! }));

describe('README.md', () => {
  it('runs every TypeScript block it shows: each is a snippet file', () => {
    expect((readme.match(/```ts\n/g) ?? []).length).to.equal(snippets.length);
  });

  it('quotes at least the core snippets', () => {
    expect(snippets.map((s) => s.file)).to.include.members(['examples/readme/hello.ts', 'examples/readme/request_reply.ts', 'examples/readme/monitor.ts']);
  });

  for (const { file, code } of snippets) {
    describe(file, () => {
      const source = readFileSync(path.join(root, file), 'utf8');

      it('is quoted verbatim', () => {
        expect(code.trim()).to.equal(source.trim());
      });

      it('runs and prints what it says', async () => {
        const compiled = path.join(root, 'dist', file.replace(/\.ts$/, '.js'));
        const { stdout } = await promisify(execFile)(process.execPath, [compiled], { timeout: 20000 });
        const expected = /\/\/ prints: (.*)$/m.exec(source);
        expect(expected, `${file} has no "// prints:" line`).to.not.equal(null);
        expect(stdout.trim().split('\n')).to.deep.equal(expected![1]!.split(' / '));
      });
    });
  }
});
