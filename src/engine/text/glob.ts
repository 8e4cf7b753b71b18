// Glob patterns over '/'-separated relative paths: `**` (any number of path segments),
// `*` and `?` (within one segment), `[abc]` / `[a-z]` / `[!abc]`, `{a,b}` (nestable), `\x`.
// A pattern without '/' matches a file or folder name at any depth (as in .gitignore and
// ripgrep's --glob), so `*.ts` means every TypeScript file and `node_modules` every such folder.

export interface GlobOptions {
  /** Allow `{a,b}` alternatives (off for .gitignore, where braces are literal). Default true. */
  braces?: boolean;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\\/]/g;
const escapeRegex = (s: string) => s.replace(REGEX_SPECIAL, '\\$&');

/** Regular-expression source (no anchors) for a glob matched against a whole path. */
export function globSource(glob: string, opts: GlobOptions = {}): string {
  const braces = opts.braces ?? true;
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      re += escapeRegex(glob[++i]);
    } else if (c === '*') {
      const segStart = i === 0 || glob[i - 1] === '/';
      if (glob[i + 1] === '*' && segStart && (i + 2 === glob.length || glob[i + 2] === '/')) {
        if (i + 2 === glob.length) {
          re += '.*'; // trailing `**`: everything below
          i += 1;
        } else {
          re += '(?:.*/)?'; // `**/`: zero or more whole segments
          i += 2;
        }
      } else {
        while (glob[i + 1] === '*') i++; // `a**b` is just `a*b`
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2); // a ']' right after '[' (or '[!') is literal
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      re += (negate ? '[^/' : '[') + body.replace(/[\\\]^[]/g, '\\$&') + ']';
      i = close;
    } else if (braces && c === '{') {
      depth++;
      re += '(?:';
    } else if (braces && c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (braces && c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escapeRegex(c);
    }
  }
  if (depth > 0) throw new Error(`Invalid glob "${glob}": unclosed "{"`);
  return re;
}

/** A matcher for one glob; paths are relative and '/'-separated. */
export function compileGlob(glob: string, opts: GlobOptions = {}): (path: string) => boolean {
  const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  // A leading '/' anchors the pattern at the root (it contains a '/', so no any-depth prefix).
  const anyDepth = !trimmed.includes('/');
  const pattern = trimmed.replace(/^\/+/, '');
  if (pattern === '') throw new Error(`Invalid glob "${glob}": empty pattern`);
  let re: RegExp;
  try {
    re = new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${globSource(pattern, opts)}$`, 'u');
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('Invalid glob')) throw e;
    throw new Error(`Invalid glob "${glob}": ${(e as Error).message}`);
  }
  return (path) => re.test(path);
}

/** A matcher that is true when any of the globs matches. */
export function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map((g) => compileGlob(g));
  return (path) => ms.some((m) => m(path));
}

export function matchGlob(glob: string, path: string): boolean {
  return compileGlob(glob)(path);
}
