// The palette commands. Each is a thin call to the server; none waits on the model in a way
// that could block the extension host (every request is async and cancellable).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WorkDoneProgress, type WorkDoneProgressReport, type WorkDoneProgressBegin } from 'vscode-languageclient/node';
import {
  AnalogyRequest,
  CancelTrainingRequest,
  ExportEmbeddingsRequest,
  GenerateChunkProgress,
  GenerateRequest,
  ImportVectorsRequest,
  LoadModelRequest,
  NeighborsRequest,
  NextTokensRequest,
  SaveModelRequest,
  TrainRequest,
  type KeptModelInfo,
  type Neighbor,
  type ServerStatusParams,
} from '../protocol';
import { toggleCompletions, readServerSettings } from './config';
import { showMap } from './projector';
import { MENU_COMMAND } from './status';
import { mayLoadFrom } from './trust';

/** What the commands need from the extension. */
export interface CommandContext {
  /** Resolves once the server is up; rejects if it cannot start. */
  client(): Promise<LanguageClient>;
  status(): ServerStatusParams;
  output: vscode.LogOutputChannel;
  onCompletionsToggled(enabled: boolean): void;
  /** Stops the server process (if any is left) and starts a new one. */
  restartServer(): Promise<void>;
}

let trainSeq = 0;
let generateSeq = 0;

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const register = (id: string, run: (...args: unknown[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.output.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`Wordlens: ${message}`);
        return undefined;
      }
    });
  return [
    register('wordlens.train', () => train(ctx)),
    register('wordlens.cancelTraining', async () => {
      const { cancelled } = await (await ctx.client()).sendRequest(CancelTrainingRequest);
      if (!cancelled) void vscode.window.showInformationMessage('Wordlens: no training is running.');
    }),
    register('wordlens.loadModel', (folder?: unknown) => loadModel(ctx, folder)),
    register('wordlens.saveModel', () => saveModel(ctx)),
    register('wordlens.importVectors', () => importVectors(ctx)),
    register('wordlens.exportEmbeddings', () => exportEmbeddings(ctx)),
    register('wordlens.showNeighbors', () => showNeighbors(ctx)),
    register('wordlens.analogy', () => analogy(ctx)),
    register('wordlens.showNextTokens', () => showNextTokens(ctx)),
    register('wordlens.generate', () => generate(ctx)),
    register('wordlens.toggleInlineCompletions', async () => {
      const on = await toggleCompletions();
      ctx.onCompletionsToggled(on);
      void vscode.window.setStatusBarMessage(`Wordlens: inline completions ${on ? 'on' : 'off'}`, 3000);
    }),
    register('wordlens.openMap', (word?: unknown) => showMap(typeof word === 'string' ? word : undefined)),
    register('wordlens.showOutput', async () => ctx.output.show()),
    register('wordlens.restartServer', () => ctx.restartServer()),
    register(MENU_COMMAND, () => showMenu(ctx)),
  ];
}

async function train(ctx: CommandContext): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('Wordlens: open a folder first; training reads the text of the workspace folders.');
    return;
  }
  const client = await ctx.client();
  const settings = readServerSettings();
  const workDoneToken = `wordlens-train-${++trainSeq}`;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Wordlens: training', cancellable: true },
    async (progress, token) => {
      let last = 0;
      const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind === 'end') return;
        const report = value as WorkDoneProgressBegin | WorkDoneProgressReport;
        const pct = report.percentage ?? last;
        progress.report({ message: report.message, increment: Math.max(0, pct - last) });
        last = pct;
      });
      try {
        const result = await client.sendRequest(
          TrainRequest,
          {
            workDoneToken,
            roots: folders.map((f) => f.uri.fsPath),
            include: settings.include,
            exclude: settings.exclude,
            tokenizer: settings.tokenizer,
            modelSize: settings.modelSize,
            budgetMinutes: settings.trainingBudgetMinutes,
          },
          token,
        );
        if (result.cancelled) {
          void vscode.window.showInformationMessage(`Wordlens: training stopped; ${keptLine(result.kept ?? null)}.`);
          return;
        }
        const ppl = result.validPpl !== null ? `, validation perplexity ${result.validPpl.toFixed(1)}` : '';
        void vscode.window.showInformationMessage(
          `Wordlens: Trained on ${result.tokens.toLocaleString('en-US')} tokens in ${Math.round(result.seconds)} s — ` +
            `V=${result.vocab.toLocaleString('en-US')}${ppl} (${result.backend}).`,
        );
      } catch (error) {
        if (token.isCancellationRequested) {
          void vscode.window.showInformationMessage('Wordlens: training cancelled; the previous model is still in use.');
          return;
        }
        throw error;
      } finally {
        listener.dispose();
      }
    },
  );
}

/** Which model a stopped training left in use, for the user. */
function keptLine(kept: KeptModelInfo | null): string {
  if (!kept) return 'no model was saved yet';
  if (!kept.fromThisRun) return 'the previous model is still in use';
  return `its last checkpoint is in use${kept.step === null ? '' : ` (step ${kept.step})`}`;
}

async function loadModel(ctx: CommandContext, folder?: unknown): Promise<void> {
  let dir = typeof folder === 'string' ? folder : folder instanceof vscode.Uri ? folder.fsPath : undefined;
  if (!dir) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Load Model',
      title: 'Wordlens: a model folder (model.json, vocab.json, meta.json)',
    });
    dir = picked?.[0]?.fsPath;
  }
  if (!dir || !mayLoadFrom(dir, 'model files')) return;
  const info = await (await ctx.client()).sendRequest(LoadModelRequest, { path: dir });
  void vscode.window.showInformationMessage(`Wordlens: loaded ${info.kind} model, V=${info.vocab.toLocaleString('en-US')}.`);
}

async function saveModel(ctx: CommandContext): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Save Model Here',
    title: 'Wordlens: folder to save the model into (a sub-folder "wordlens-model" is created)',
  });
  if (!picked?.[0]) return;
  const target = path.join(picked[0].fsPath, 'wordlens-model');
  const { path: saved } = await (await ctx.client()).sendRequest(SaveModelRequest, { path: target });
  void vscode.window.showInformationMessage(`Wordlens: model saved to ${saved}.`);
}

async function importVectors(ctx: CommandContext): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    openLabel: 'Import Vectors',
    filters: { 'Word vectors': ['vec', 'txt', 'bin', 'tsv'], 'All files': ['*'] },
  });
  const file = picked?.[0]?.fsPath;
  if (!file || !mayLoadFrom(file, 'vector files')) return;
  // The server holds one model: vectors take the place of the one that completes.
  if (ctx.status().state === 'ready' && ctx.status().canComplete !== false) {
    const go = await vscode.window.showWarningMessage(
      'Importing vectors replaces the model that serves completions until you load a model or reopen the workspace (the trained model stays in storage).',
      { modal: true },
      'Import',
    );
    if (go !== 'Import') return;
  }
  const info = await (await ctx.client()).sendRequest(ImportVectorsRequest, { path: file });
  void vscode.window.showInformationMessage(
    `Wordlens: imported ${info.vocab.toLocaleString('en-US')} vectors; the map, neighbours and analogies now use them. Inline completions return with a trained model (Train on Workspace or Load Model…).`,
  );
}

async function exportEmbeddings(ctx: CommandContext): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    saveLabel: 'Export Embeddings',
    filters: { 'word2vec text': ['vec', 'txt'], 'TensorFlow projector TSV': ['tsv'] },
  });
  if (!target) return;
  const format = target.fsPath.endsWith('.tsv') ? 'tsv' : 'word2vec';
  const result = await (await ctx.client()).sendRequest(ExportEmbeddingsRequest, { path: target.fsPath, format });
  void vscode.window.showInformationMessage(`Wordlens: exported ${result.words.toLocaleString('en-US')} vectors to ${result.path}.`);
}

async function showNeighbors(ctx: CommandContext, start?: string): Promise<void> {
  let word = start;
  if (!word) {
    const editor = vscode.window.activeTextEditor;
    const range = editor && editor.document.getWordRangeAtPosition(editor.selection.active);
    word = range ? editor.document.getText(range) : await vscode.window.showInputBox({ prompt: 'Wordlens: neighbours of which word?' });
  }
  if (!word) return;
  const client = await ctx.client();
  // Picking a neighbour shows its own neighbours, so the space can be walked.
  for (;;) {
    // The server also takes its own labels (`⏎··`), so any listed neighbour can be walked to.
    const result = await client.sendRequest(NeighborsRequest, { word, k: 20 });
    if (!result.known) {
      void vscode.window.showInformationMessage(`Wordlens: "${word}" is not in the model's vocabulary.`);
      return;
    }
    const next = await pickNeighbor(result.neighbors, `Nearest to "${word}" (pick one to walk on)`);
    if (!next) return;
    word = next;
  }
}

async function analogy(ctx: CommandContext): Promise<void> {
  const input = await vscode.window.showInputBox({
    prompt: 'Wordlens: analogy a − b + c',
    placeHolder: 'king - man + woman',
    validateInput: (v) => (parseAnalogy(v) ? undefined : 'Write it as: a - b + c'),
  });
  const parsed = input ? parseAnalogy(input) : undefined;
  if (!parsed) return;
  const result = await (await ctx.client()).sendRequest(AnalogyRequest, { ...parsed, k: 15 });
  if (result.unknown.length > 0) {
    void vscode.window.showInformationMessage(`Wordlens: not in the vocabulary: ${result.unknown.join(', ')}.`);
    return;
  }
  await pickNeighbor(result.results, `${parsed.a} − ${parsed.b} + ${parsed.c}`);
}

function parseAnalogy(text: string): { a: string; b: string; c: string } | undefined {
  const m = /^\s*(\S+)\s*[-−]\s*(\S+)\s*\+\s*(\S+)\s*$/.exec(text);
  return m ? { a: m[1], b: m[2], c: m[3] } : undefined;
}

async function pickNeighbor(neighbors: Neighbor[], title: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    neighbors.map((n) => ({ label: n.word, description: n.score.toFixed(3) })),
    { title, matchOnDescription: false },
  );
  return picked?.label;
}

async function showNextTokens(ctx: CommandContext): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const client = await ctx.client();
  const position = editor.selection.active;
  const result = await client.sendRequest(NextTokensRequest, {
    textDocument: { uri: editor.document.uri.toString() },
    position: { line: position.line, character: position.character },
    k: 20,
  });
  if (result.tokens.length === 0) {
    void vscode.window.showInformationMessage('Wordlens: no candidates here (no model loaded, or nothing continues this word).');
    return;
  }
  const top = result.tokens[0].prob;
  const picked = await vscode.window.showQuickPick(
    result.tokens.map((t) => ({
      label: `${bar(t.prob / top)} ${(t.prob * 100).toFixed(1).padStart(5)}%`,
      description: JSON.stringify(t.token),
      insertText: t.insertText,
    })),
    { title: `Next token${result.partial ? ` after "${result.partial}"` : ''} — pick one to insert` },
  );
  if (picked && picked.insertText) await editor.insertSnippet(new vscode.SnippetString().appendText(picked.insertText), position);
}

/** A bar of up to 20 block characters for a value in 0..1. */
export function bar(fraction: number, width = 20): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(n) + '░'.repeat(width - n);
}

async function generate(ctx: CommandContext): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const client = await ctx.client();
  const document = editor.document;
  const start = editor.selection.active;
  const partialResultToken = `wordlens-generate-${++generateSeq}`;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Wordlens: generating', cancellable: true },
    async (_progress, token) => {
      // Chunks queue up while an edit is in flight and go in together with the next one,
      // each at the end of what was inserted so far.
      let offset = document.offsetAt(start);
      let pending = '';
      let writing: Promise<void> | undefined;
      let first = true;
      const flush = async (): Promise<void> => {
        while (pending && !editor.document.isClosed) {
          const text = pending;
          pending = '';
          const at = document.positionAt(offset);
          const ok = await editor.edit((b) => b.insert(at, text), { undoStopBefore: first, undoStopAfter: false });
          if (ok) offset += text.length;
          first = false;
        }
        writing = undefined;
      };
      const listener = client.onProgress(GenerateChunkProgress, partialResultToken, ({ text }) => {
        pending += text;
        writing ??= flush();
      });
      try {
        const settings = readServerSettings();
        await client.sendRequest(
          GenerateRequest,
          {
            textDocument: { uri: document.uri.toString() },
            position: { line: start.line, character: start.character },
            partialResultToken,
            maxTokens: 200,
            temperature: Math.max(0.7, settings.completion.temperature),
          },
          token,
        );
      } catch (error) {
        if (!token.isCancellationRequested) throw error;
      } finally {
        listener.dispose();
        await writing;
      }
    },
  );
}

async function showMenu(ctx: CommandContext): Promise<void> {
  const state = ctx.status().state;
  const items: (vscode.QuickPickItem & { command: string })[] = [];
  if (state === 'training') items.push({ label: '$(debug-stop) Cancel Training', command: 'wordlens.cancelTraining' });
  else items.push({ label: '$(play) Train on Workspace', command: 'wordlens.train' });
  items.push(
    { label: '$(folder-opened) Load Model…', command: 'wordlens.loadModel' },
    { label: '$(save-as) Save Model As…', command: 'wordlens.saveModel' },
    { label: '$(symbol-event) Toggle Inline Completions', command: 'wordlens.toggleInlineCompletions' },
    { label: '$(graph) Show Next-Token Distribution', command: 'wordlens.showNextTokens' },
    { label: '$(references) Show Neighbours of Word at Cursor', command: 'wordlens.showNeighbors' },
    { label: '$(map) Open Embedding Map', command: 'wordlens.openMap' },
    { label: '$(output) Show Log', command: 'wordlens.showOutput' },
    { label: '$(debug-restart) Restart Server', command: 'wordlens.restartServer' },
  );
  const picked = await vscode.window.showQuickPick(items, { title: 'Wordlens' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
