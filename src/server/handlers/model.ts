// wordlens/loadModel, wordlens/saveModel, wordlens/status: which model serves, and copies of it.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeFolderAtomic } from '../../engine/io/atomic';
import { LoadModelRequest, SaveModelRequest, ServerStatusRequest } from '../../protocol';
import type { ServerContext } from '../context';
import { onCheckedRequest, requireModel, UserError } from '../requests';

export function registerModel(ctx: ServerContext): void {
  const { connection, host, log } = ctx;

  onCheckedRequest(connection, log, LoadModelRequest, { path: 'string' }, async (params) => {
    ctx.checkTrustedPath(params.path, 'model files');
    const model = await host.load(path.resolve(params.path));
    return model.info;
  });

  onCheckedRequest(connection, log, SaveModelRequest, { path: 'string' }, async (params) => {
    const model = requireModel(host.model);
    const source = model.info.modelPath;
    const target = path.resolve(params.path);
    await copyModelFolder(source, target);
    log(`model copied from ${source} to ${target}`);
    return { path: target };
  });

  connection.onRequest(ServerStatusRequest, () => host.status());
}

/** Copies a model folder atomically; refuses to replace a folder that is not a model. */
async function copyModelFolder(source: string, target: string): Promise<void> {
  const rel = path.relative(source, target);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new UserError(`Cannot save the model into its own folder (${source}).`);
  }
  const existing = await fsp.readdir(target).catch(() => undefined);
  if (existing && existing.length > 0 && !existing.includes('meta.json')) {
    throw new UserError(`${target} exists and is not a Wordlens model folder; choose an empty or new folder.`);
  }
  const files = (await fsp.readdir(source, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  await writeFolderAtomic(target, async (tmp) => {
    for (const name of files) await fsp.copyFile(path.join(source, name), path.join(tmp, name));
  });
}
