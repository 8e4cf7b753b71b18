// Reading the user's files with one-line errors instead of raw ENOENT stacks.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from './output';
import { checkSaveTarget } from '../engine/io/store';

export async function readTextFile(file: string, what = 'file'): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${what} ${file}: ${reason(err)}`);
  }
}

/** The parent folder of an output path must exist (we do not guess at typos by creating it). */
export async function checkOutputParent(file: string): Promise<void> {
  const parent = path.dirname(path.resolve(file));
  const stat = await fsp.stat(parent).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UserError(`cannot write ${file}: folder ${parent} does not exist`);
}

export function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/** A model folder the command will write: refused before any work if saving would replace something else. */
export async function checkOutputFolder(dir: string): Promise<void> {
  try {
    await checkSaveTarget(dir);
  } catch (err) {
    throw new UserError(`${(err as Error).message}; choose a new or empty folder for --out`);
  }
}
