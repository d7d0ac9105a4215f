/**
 * Test helper for the specs that read the library's own source (layers, TSDoc examples): lists
 * the library's `.ts` files and splits a file into code, comments and string contents with a
 * small tokenizer (strings, template literals with `${}` nesting, regular expression literals),
 * so that an `import` or a `console.` inside a comment or a string is not mistaken for code.
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/spec/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every `.ts` file under `dir` (relative to the root, with `/`), sorted; none if `dir` does not exist. */
export function tsFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).sort().flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The library's files: runtime/, transports/, actors/ and the two entries. */
export function libraryFiles(): string[] {
  return [...tsFiles('runtime'), ...tsFiles('transports'), ...tsFiles('actors'), 'index.ts', 'extend.ts'];
}

/** One comment of a source file; `start`/`end` are offsets in the file, `text` includes the delimiters. */
export interface SourceComment {
  start: number;
  end: number;
  text: string;
}

/** A source file seen three ways; `code` and `bare` keep every offset and newline of the original. */
export interface ScannedSource {
  /** The text with comments blanked (strings intact): where import specifiers are read. */
  code: string;
  /** The text with comments and the contents of strings, templates and regexps blanked: only code. */
  bare: string;
  comments: SourceComment[];
}

const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

/** Splits TypeScript source into code, comments and literal contents. */
export function scanSource(text: string): ScannedSource {
  const code = text.split('');
  const bare = text.split('');
  const comments: SourceComment[] = [];
  const blank = (arr: string[], from: number, to: number): void => {
    for (let k = from; k < to && k < arr.length; k++) if (arr[k] !== '\n') arr[k] = ' ';
  };
  // After a `/`, is this a regular expression literal (or a division)? Decided by the previous token.
  const regexAllowed = (at: number): boolean => {
    let k = at - 1;
    while (k >= 0 && /\s/.test(bare[k]!)) k--;
    if (k < 0) return true;
    const ch = bare[k]!;
    if (/[\w$]/.test(ch)) {
      let s = k;
      while (s > 0 && /[\w$]/.test(bare[s - 1]!)) s--;
      return REGEX_AFTER_WORD.has(bare.slice(s, k + 1).join(''));
    }
    return !/[)\]'"`]/.test(ch);
  };
  const braces: number[] = []; // one counter per open `${`: the depth of `{` inside it
  const n = text.length;
  // Scans a template body from `j` (just after "`" or "}"); returns where code resumes.
  const template = (j: number): number => {
    const from = j;
    while (j < n) {
      if (text[j] === '\\') j += 2;
      else if (text[j] === '`') {
        blank(bare, from, j);
        return j + 1;
      } else if (text[j] === '$' && text[j + 1] === '{') {
        blank(bare, from, j);
        braces.push(0);
        return j + 2;
      } else j++;
    }
    blank(bare, from, n);
    return n;
  };
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      comments.push({ start: i, end, text: text.slice(i, end) });
      blank(code, i, end);
      blank(bare, i, end);
      i = end;
    } else if (c === '/' && d === '*') {
      let end = text.indexOf('*/', i + 2);
      end = end < 0 ? n : end + 2;
      comments.push({ start: i, end, text: text.slice(i, end) });
      blank(code, i, end);
      blank(bare, i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(bare, i + 1, j);
      i = j + 1;
    } else if (c === '`') {
      i = template(i + 1);
    } else if (c === '/' && regexAllowed(i)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const r = text[j];
        if (r === '\\') j++;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        j++;
      }
      blank(bare, i + 1, j);
      i = j + 1;
    } else if (c === '{' && braces.length > 0) {
      braces[braces.length - 1]!++;
      i++;
    } else if (c === '}' && braces.length > 0) {
      if (braces[braces.length - 1] === 0) {
        braces.pop();
        i = template(i + 1);
      } else {
        braces[braces.length - 1]!--;
        i++;
      }
    } else i++;
  }
  return { code: code.join(''), bare: bare.join(''), comments };
}

/** The 1-based line of offset `at` in `text`. */
export function lineOf(text: string, at: number): number {
  let line = 1;
  for (let k = 0; k < at; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
