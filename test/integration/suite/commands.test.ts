// The palette commands as a user runs them: each goes through vscode.commands.executeCommand,
// and its dialogs (quick picks, input boxes, file dialogs, messages) are answered by replacing
// the `vscode.window` functions, which this suite shares with the extension (same extension
// folder, same `vscode` API object). Every test asserts what the user sees or gets.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, fixtureCode, removeTemp, tempCorpus, waitFor } from './setup';

interface Client {
  sendRequest(method: string, params?: unknown): Promise<unknown>;
}
interface Api {
  ready: Promise<Client>;
  statusText(): string;
}
interface TrainResult {
  cancelled: boolean;
  vocab: number;
}



const CODE = fixtureCode(40);

type Item = vscode.QuickPickItem & Record<string, unknown>;
/** One quick pick the extension showed: its items and options, and what the test answered. */
interface ShownPick {
  items: Item[];
  options: vscode.QuickPickOptions | undefined;
}
interface ShownMessage {
  kind: 'info' | 'warning' | 'error';
  text: string;
  options: unknown[];
}

/** The dialogs the tests answer; each stub's answers are set per test. */
const WINDOW_FUNCTIONS = [
  'showQuickPick',
  'showInputBox',
  'showOpenDialog',
  'showSaveDialog',
  'showInformationMessage',
  'showWarningMessage',
  'showErrorMessage',
] as const;
type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];
const windowTable = vscode.window as unknown as Record<WindowFunction, unknown>;

suite('palette commands', function () {
  this.timeout(180_000);
  let api: Api;
  let client: Client;
  let tmp: string;
  let modelDir: string;
  let vocab: number;
  const original = {} as Record<WindowFunction, unknown>;
  const figures: string[] = [];

  // What the stubs saw, and how they answer (reset before each test).
  let picks: ShownPick[] = [];
  let pickAnswer: (pick: ShownPick, index: number) => Item | undefined = () => undefined;
  let inputs: vscode.InputBoxOptions[] = [];
  let inputAnswer: string | undefined;
  let openAnswer: vscode.Uri[] | undefined;
  let saveAnswer: vscode.Uri | undefined;
  let messages: ShownMessage[] = [];
  let warningAnswer: string | undefined;

  function install(): void {
    windowTable.showQuickPick = async (items: readonly Item[] | Thenable<readonly Item[]>, options?: vscode.QuickPickOptions) => {
      const pick: ShownPick = { items: [...(await items)], options };
      picks.push(pick);
      return pickAnswer(pick, picks.length - 1);
    };
    windowTable.showInputBox = async (options?: vscode.InputBoxOptions) => {
      inputs.push(options ?? {});
      return inputAnswer;
    };
    windowTable.showOpenDialog = async () => openAnswer;
    windowTable.showSaveDialog = async () => saveAnswer;
    const message = (kind: ShownMessage['kind']) => async (text: string, ...options: unknown[]) => {
      messages.push({ kind, text, options });
      return kind === 'warning' ? warningAnswer : undefined;
    };
    windowTable.showInformationMessage = message('info');
    windowTable.showWarningMessage = message('warning');
    windowTable.showErrorMessage = message('error');
  }

  /** Runs a command as the palette does; the extension reports a failure as an error message, not a rejection. */
  async function run(command: string, ...args: unknown[]): Promise<void> {
    await vscode.commands.executeCommand(command, ...args);
    const errors = messages.filter((m) => m.kind === 'error').map((m) => m.text);
    assert.deepEqual(errors, [], `${command} showed an error`);
  }

  const infos = () => messages.filter((m) => m.kind === 'info').map((m) => m.text);

  /** A new untitled editor on `content` with the cursor at `offset` (default: the end). */
  async function editorAt(content: string, offset = content.length): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content });
    const editor = await vscode.window.showTextDocument(document);
    const at = document.positionAt(offset);
    editor.selection = new vscode.Selection(at, at);
    return editor;
  }

  async function loadTrainedModel(): Promise<void> {
    await run('wordlens.loadModel', modelDir);
    await waitFor('the trained model serving', () => new RegExp(`ready · V=${vocab.toLocaleString('en-US')}$`).test(api.statusText()));
  }

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    client = await api.ready;
    tmp = tempCorpus('wordlens-commands-', { 'add.ts': CODE });
    modelDir = path.join(tmp, 'model');
    const trained = (await client.sendRequest('wordlens/train', {
      roots: [path.join(tmp, 'corpus')],
      outDir: modelDir,
      epochs: 1,
      dim: 16,
      budgetMinutes: 0.5,
    })) as TrainResult;
    assert.equal(trained.cancelled, false);
    vocab = trained.vocab;
    await waitFor('a ready model', () => /ready · V=/.test(api.statusText()));
    for (const name of WINDOW_FUNCTIONS) original[name] = windowTable[name];
  });

  setup(() => {
    picks = [];
    pickAnswer = () => undefined;
    inputs = [];
    inputAnswer = undefined;
    openAnswer = undefined;
    saveAnswer = undefined;
    messages = [];
    warningAnswer = undefined;
    install();
  });

  teardown(() => {
    for (const name of WINDOW_FUNCTIONS) if (original[name]) windowTable[name] = original[name];
  });

  suiteTeardown(async () => {
    for (const name of WINDOW_FUNCTIONS) if (original[name]) windowTable[name] = original[name];
    await vscode.workspace.getConfiguration('wordlens').update('completion.enabled', undefined, vscode.ConfigurationTarget.Global);
    removeTemp(tmp);
    if (figures.length) console.log(`palette command figures: ${figures.join('; ')}`);
  });

  test('Show Neighbours of Word at Cursor lists the word\'s neighbours with similarities, not the word; picking one walks on', async () => {
    const content = 'const total = left + right;\n';
    await editorAt(content, content.indexOf('total') + 2);
    // Walk to a newline token's display form (⏎…) when one is offered, then to a word, then stop.
    const walked: string[] = [];
    pickAnswer = (pick, index) => {
      const item =
        index === 0 ? (pick.items.find((i) => i.label.startsWith('⏎')) ?? pick.items[0]) : index === 1 ? pick.items.find((i) => /^\w+$/.test(i.label)) : undefined;
      if (item) walked.push(item.label);
      return item;
    };
    await run('wordlens.showNeighbors');

    figures.push(`neighbours walk: total → ${walked.join(' → ')}`);
    assert.deepEqual(infos(), [], 'every picked neighbour is known');
    assert.equal(picks.length, 3, `a list for the word and one per picked neighbour; walked ${JSON.stringify(walked)}`);
    ['total', ...walked].forEach((word, i) => {
      const { items, options } = picks[i];
      assert.equal(options?.title, `Nearest to "${word}" (pick one to walk on)`);
      assert.ok(items.length >= 5 && items.length <= 20, `${items.length} neighbours of ${word}`);
      const labels = items.map((item) => item.label);
      assert.ok(!labels.includes(word), `"${word}" is among its own neighbours: ${labels.join(' ')}`);
      assert.equal(new Set(labels).size, labels.length, 'no duplicates');
      const scores = items.map((item) => {
        assert.match(item.description ?? '', /^-?\d\.\d{3}$/, `similarity of ${item.label}`);
        return Number(item.description);
      });
      for (const s of scores) assert.ok(s >= -1 && s <= 1, `cosine ${s}`);
      for (let k = 1; k < scores.length; k++) assert.ok(scores[k] <= scores[k - 1], `not nearest first: ${scores.join(' ')}`);
    });
  });

  test('Analogy… asks for "a - b + c" (refusing other input) and lists the results', async () => {
    inputAnswer = 'left - right + total';
    await run('wordlens.analogy');
    assert.equal(inputs.length, 1, 'one input box');
    const validate = inputs[0].validateInput!;
    assert.equal(await validate('left - right + total'), undefined);
    assert.match(String(await validate('left right total')), /a - b \+ c/);
    assert.equal(picks.length, 1);
    assert.equal(picks[0].options?.title, 'left − right + total');
    const results = picks[0].items;
    assert.ok(results.length > 0 && results.length <= 15, `${results.length} results`);
    for (const r of results) {
      assert.ok(r.label.length > 0);
      assert.match(r.description ?? '', /^-?\d\.\d{3}$/);
    }

    // A word outside the vocabulary: said so, no list.
    messages = [];
    inputAnswer = 'left - right + zzzunknownzzz';
    await run('wordlens.analogy');
    assert.equal(picks.length, 1, 'no second list');
    assert.deepEqual(infos(), ['Wordlens: not in the vocabulary: zzzunknownzzz.']);
  });

  test('Show Next-Token Distribution offers tokens with probability bars, most likely first; dismissing inserts nothing', async () => {
    const content = CODE + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
    const editor = await editorAt(content);
    await run('wordlens.showNextTokens');
    assert.equal(picks.length, 1);
    const items = picks[0].items;
    assert.ok(items.length >= 2 && items.length <= 20, `${items.length} tokens`);
    const probs: number[] = [];
    const bars: number[] = [];
    for (const item of items) {
      const m = /^([█░]{20}) +(\d+\.\d)%$/.exec(item.label);
      assert.ok(m, `label ${JSON.stringify(item.label)}`);
      bars.push([...m[1]].filter((c) => c === '█').length);
      probs.push(Number(m[2]) / 100);
      assert.equal(typeof JSON.parse(item.description ?? ''), 'string', 'the token, quoted');
    }
    assert.equal(bars[0], 20, 'the most likely token fills the bar');
    for (let i = 1; i < items.length; i++) {
      assert.ok(probs[i] <= probs[i - 1], `not sorted: ${probs.join(' ')}`);
      assert.ok(bars[i] <= bars[i - 1]);
    }
    // Shown to 0.1 %: each is at most 0.05 % off.
    for (const p of probs) assert.ok(p > 0 - 0.0005 && p <= 1, `probability ${p}`);
    assert.ok(probs[0] > 0);
    const sum = probs.reduce((a, b) => a + b, 0);
    figures.push(`next tokens: ${items.length}, top ${(probs[0] * 100).toFixed(1)} %, shown sum ${(sum * 100).toFixed(1)} %`);
    assert.ok(sum <= 1 + 0.0005 * probs.length, `sum ${sum}`);
    assert.equal(editor.document.getText(), content, 'nothing inserted when the pick is dismissed');
  });

  test('Generate Text streams into the editor: several insertions before the command ends, together the final text', async () => {
    const content = CODE + '\n';
    const editor = await editorAt(content);
    const document = editor.document;
    const changes: { offset: number; rangeLength: number; text: string }[] = [];
    let finished = false;
    let afterFinish = 0;
    const listener = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== document) return;
      if (finished) afterFinish++;
      for (const c of e.contentChanges) changes.push({ offset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text });
    });
    try {
      await run('wordlens.generate');
      finished = true;
    } finally {
      listener.dispose();
    }
    figures.push(`generate: ${changes.length} insertions, ${document.getText().length - content.length} chars`);
    assert.ok(changes.length > 1, `${changes.length} insertion(s): the text did not stream`);
    assert.equal(afterFinish, 0, 'an insertion came after the command finished');
    let offset = content.length;
    for (const c of changes) {
      assert.equal(c.rangeLength, 0, 'an insertion, not a replacement');
      assert.equal(c.offset, offset, 'each piece goes after the previous one');
      offset += c.text.length;
    }
    const added = document.getText().slice(content.length);
    assert.equal(document.getText().slice(0, content.length), content);
    assert.equal(added, changes.map((c) => c.text).join(''));
    assert.match(added, /function|total|left|right/);
  });

  test('Export Embeddings… writes word2vec text (.vec) and the projector TSV pair (.tsv + metadata.tsv)', async () => {
    const vec = path.join(tmp, 'out', 'words.vec');
    fs.mkdirSync(path.dirname(vec), { recursive: true });
    saveAnswer = vscode.Uri.file(vec);
    await run('wordlens.exportEmbeddings');
    const lines = fs.readFileSync(vec, 'utf8').trimEnd().split('\n');
    const [n, d] = lines[0].split(' ').map(Number);
    assert.equal(d, 16, 'the trained model\'s width');
    assert.ok(n > 5 && n <= vocab, `N=${n}, V=${vocab}`);
    assert.equal(lines.length, n + 1, 'header + N rows');
    const vecWords = lines.slice(1).map((line) => {
      const fields = line.split(' ');
      assert.equal(fields.length, d + 1, `row ${JSON.stringify(line.slice(0, 40))}`);
      for (const x of fields.slice(1)) assert.ok(Number.isFinite(Number(x)));
      return fields[0];
    });
    assert.ok(vecWords.includes('total') && vecWords.includes('right'));
    assert.deepEqual(infos(), [`Wordlens: exported ${n.toLocaleString('en-US')} vectors to ${vec}.`]);
    figures.push(`export: N=${n} D=${d} (V=${vocab})`);

    messages = [];
    const tsv = path.join(tmp, 'out', 'vectors.tsv');
    saveAnswer = vscode.Uri.file(tsv);
    await run('wordlens.exportEmbeddings');
    const rows = fs.readFileSync(tsv, 'utf8').trimEnd().split('\n');
    assert.equal(rows.length, n);
    for (const row of rows) assert.equal(row.split('\t').length, d);
    const metadata = fs.readFileSync(path.join(tmp, 'out', 'metadata.tsv'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(metadata, vecWords, 'metadata.tsv names the same words in the same order');
    assert.deepEqual(infos(), [`Wordlens: exported ${n.toLocaleString('en-US')} vectors to ${tsv}.`]);

    // Dismissing the dialog writes nothing and says nothing.
    messages = [];
    saveAnswer = undefined;
    await run('wordlens.exportEmbeddings');
    assert.deepEqual(messages, []);
  });

  test('Import Vectors… asks first (modal) while a model completes; "cancel" imports nothing, "Import" shows "vectors only"', async () => {
    const vec = path.join(tmp, 'words.vec'); // the temp folder is outside the workspace
    fs.writeFileSync(vec, '3 2\nleft 1 0\nright 0.9 0.1\ntotal 0 1\n');
    openAnswer = [vscode.Uri.file(vec)];
    const before = api.statusText();
    assert.doesNotMatch(before, /vectors only/);

    warningAnswer = undefined; // the modal dismissed
    await run('wordlens.importVectors');
    const asked = messages.filter((m) => m.kind === 'warning');
    assert.equal(asked.length, 1, 'asked once');
    assert.match(asked[0].text, /Importing vectors replaces the model that serves completions/);
    assert.deepEqual(asked[0].options, [{ modal: true }, 'Import']);
    assert.deepEqual(infos(), [], 'nothing imported');
    assert.equal(api.statusText(), before);

    messages = [];
    warningAnswer = 'Import';
    await run('wordlens.importVectors');
    assert.equal(messages.filter((m) => m.kind === 'warning').length, 1);
    assert.match(infos()[0] ?? '', /^Wordlens: imported \d+ vectors; the map, neighbours and analogies now use them/);
    await waitFor('the vectors-only status', () => /ready · V=\d+ · vectors only$/.test(api.statusText()));

    // Neighbours now come from the imported vectors: right (0.9, 0.1) is nearest to left (1, 0).
    messages = [];
    const content = 'left\n';
    await editorAt(content, 1);
    await run('wordlens.showNeighbors');
    assert.equal(picks.at(-1)?.items[0]?.label, 'right');

    // With vectors only there is no completing model to lose: no question asked.
    messages = [];
    await run('wordlens.importVectors');
    assert.equal(messages.filter((m) => m.kind === 'warning').length, 0);
    assert.equal(infos().length, 1);

    messages = [];
    await loadTrainedModel();
    assert.match(infos()[0] ?? '', /^Wordlens: loaded \S+ model, V=/);
    assert.doesNotMatch(api.statusText(), /vectors only/);
  });

  test('Cancel Training stops a running training (the status returns to ready); with none running it says so', async () => {
    const long = client.sendRequest('wordlens/train', {
      roots: [path.join(tmp, 'corpus')],
      outDir: path.join(tmp, 'long'),
      epochs: 200,
      dim: 16,
      budgetMinutes: 2,
    }) as Promise<TrainResult>;
    long.catch(() => undefined); // awaited below
    await waitFor('the training status', () => /Wordlens: (.+ · )?(LSTM )?training/.test(api.statusText()));

    // Meanwhile the status bar menu offers Cancel instead of Train.
    await run('wordlens.showMenu');
    const labels = picks[0].items.map((i) => i.label);
    assert.ok(labels.includes('$(debug-stop) Cancel Training'), labels.join(', '));
    assert.ok(!labels.some((l) => l.includes('Train on Workspace')));

    await run('wordlens.cancelTraining');
    assert.deepEqual(infos(), [], 'no "no training is running" while one runs');
    const result = await long;
    assert.equal(result.cancelled, true, 'the training ended cancelled');
    await waitFor('ready again', () => /Wordlens: ready · V=/.test(api.statusText()));

    await run('wordlens.cancelTraining');
    assert.deepEqual(infos(), ['Wordlens: no training is running.']);
    await loadTrainedModel(); // whatever the stopped run kept, later tests get the trained model
  });

  test('the status bar menu lists the actions; Toggle Inline Completions toggles, shown by the eye-closed icon', async () => {
    assert.doesNotMatch(api.statusText(), /eye-closed/);
    const toggle = (pick: ShownPick) => pick.items.find((i) => i.label.endsWith('Toggle Inline Completions'));
    pickAnswer = toggle;
    await run('wordlens.showMenu');
    const labels = picks[0].items.map((i) => i.label.replace(/^\$\([\w-]+\) /, ''));
    assert.deepEqual(labels, [
      'Train on Workspace',
      'Load Model…',
      'Save Model As…',
      'Toggle Inline Completions',
      'Show Next-Token Distribution',
      'Show Neighbours of Word at Cursor',
      'Open Embedding Map',
      'Show Log',
      'Restart Server',
    ]);
    assert.equal(picks[0].options?.title, 'Wordlens');
    assert.match(api.statusText(), /^\$\(eye-closed\) Wordlens: ready/);
    assert.equal(vscode.workspace.getConfiguration('wordlens').get('completion.enabled'), false);

    await run('wordlens.showMenu');
    assert.match(api.statusText(), /^\$\(sparkle\) Wordlens: ready/);
    assert.equal(vscode.workspace.getConfiguration('wordlens').get('completion.enabled'), true);

    // Dismissing the menu runs nothing.
    pickAnswer = () => undefined;
    const status = api.statusText();
    await run('wordlens.showMenu');
    assert.equal(api.statusText(), status);
  });
});
