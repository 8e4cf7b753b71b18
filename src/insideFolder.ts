// Is a path inside one of some folders, after symlinks are resolved? Shared by the client's
// Workspace Trust check and the server's, so a link outside the workspace that points into it
// counts as inside (and a link in it that points elsewhere, as outside).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The real path of `p`, or of its nearest existing parent joined with the rest. */
function realPath(p: string): string {
  const absolute = path.resolve(p);
  try {
    return fs.realpathSync.native(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

export function isInsideAny(fsPath: string, folders: readonly string[]): boolean {
  const target = realPath(fsPath);
  return folders.some((folder) => {
    const relative = path.relative(realPath(folder), target);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}
