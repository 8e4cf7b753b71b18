// The `wordlens.include` / `wordlens.exclude` globs, matched by picomatch over '/'-separated
// relative paths: `**`, `*`, `?`, `[a-z]` / `[!a-z]`, `{a,b}` (nestable), `\x`. As in VS Code,
// `*` and `**` match dot-files too. Two conveniences on top: a pattern without '/' matches a file
// or folder name at any depth (as in .gitignore and ripgrep's --glob), so `*.ts` means every
// TypeScript file and `node_modules` every such folder; a leading '/' anchors it at the root.
import picomatch from 'picomatch/posix';

/** A matcher for one glob; paths are relative and '/'-separated. Throws for a malformed glob. */
export function compileGlob(glob: string): (path: string) => boolean {
  const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  const anyDepth = !trimmed.includes('/'); // so a leading '/' anchors
  const pattern = trimmed.replace(/^\/+/, '');
  if (pattern === '') throw new Error(`Invalid glob "${glob}": empty pattern`);
  try {
    // posix: `[!a-z]` negates, as in VS Code (picomatch reads the '!' literally without it);
    // strictBrackets: an unclosed `{` or `[` is a typo to report, not literal text;
    // debug: an impossible class such as `[z-a]` throws rather than silently matching nothing.
    const options = { dot: true, basename: anyDepth, posix: true, strictBrackets: true, debug: true };
    const isMatch = picomatch(pattern, options);
    return (path) => isMatch(path); // one argument: picomatch's second asks for a result object
  } catch (e) {
    throw new Error(`Invalid glob "${glob}": ${(e as Error).message}`);
  }
}

/** A matcher that is true when any of the globs matches. */
export function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map(compileGlob);
  return (path) => ms.some((m) => m(path));
}
