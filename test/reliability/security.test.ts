// Security: no network access anywhere (the server, its training worker and its requests run
// under a preload that records and refuses any non-local connection, DNS lookup or HTTP
// request), no port bound unless asked and then only on 127.0.0.1, workspace strings
// escaped where they become markup (hover), the map page's CSP, and no network API in the
// product's sources.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { MAP_RESOURCE_ROOTS, MAP_SCRIPT, MAP_STYLE, mapPage } from '../../src/client/mapHtml';
import { saveModel } from '../../src/engine/io/store';
import {
  ExportEmbeddingsRequest,
  ImportVectorsRequest,
  LoadModelRequest,
  NeighborsRequest,
  NextTokensRequest,
  TrainRequest,
} from '../../src/protocol';
import { startTestServer } from '../server/lspClient';
import { networkGuard, type NetRecord } from './helpers-network';
import { codeWorkspace, FIXTURE_TEXT, tempDir, writeLstmModel } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('reliability: security', () => {
  const tmp = tempDir('security');
  const guard = networkGuard(tmp.dir);
  const savedOptions = process.env.NODE_OPTIONS;
  before(() => {
    process.env.NODE_OPTIONS = [savedOptions, guard.nodeOptions].filter(Boolean).join(' ');
  });
  after(() => {
    if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = savedOptions;
    tmp.cleanup();
  });
  const nonLocal = (records: NetRecord[]) => records.filter((r) => r.kind !== 'loaded' && !r.local);

  it('the guard itself catches an outbound request (control)', () => {
    const before = guard.records().length;
    const r = spawnSync(process.execPath, ['-e', "require('https').get('https://example.com/', () => {}).on('error', (e) => { console.log(e.message); });"], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    const caught = nonLocal(guard.records().slice(before));
    assert.ok(caught.some((c) => c.kind === 'http' && c.detail === 'https://example.com'), `recorded: ${JSON.stringify(caught)}`);
    assert.match(r.stdout, /blocked by the Wordlens reliability test/);
  });

  it('server, training worker and every request: nothing tries to reach the network, no port is bound (stdio)', async () => {
    const start = guard.records().length;
    const storage = path.join(tmp.dir, 'storage');
    const model = path.join(tmp.dir, 'model');
    await writeLstmModel(model);
    const workspace = codeWorkspace(path.join(tmp.dir, 'workspace'), 2);
    const server = await startTestServer({ modelPath: model, storagePath: storage });
    try {
      await server.waitForStatus((s) => s.state === 'ready');
      const uri = 'file:///security/a.ts';
      await server.open(uri, FIXTURE_TEXT);
      await server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: { line: 2, character: 4 } });
      await server.connection.sendRequest(NeighborsRequest, { word: 'total' });
      const trained = await server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 1, dim: 8, budgetMinutes: 0.5 });
      assert.equal(trained.cancelled, false);
      const vectors = path.join(tmp.dir, 'vectors.txt');
      await server.connection.sendRequest(ExportEmbeddingsRequest, { path: vectors, format: 'word2vec' });
      await server.connection.sendRequest(ImportVectorsRequest, { path: vectors });
      await server.connection.sendRequest(LoadModelRequest, { path: trained.modelPath });
    } finally {
      await server.stop();
    }
    const records = guard.records().slice(start);
    const threads = new Set(records.filter((r) => r.kind === 'loaded').map((r) => r.threadId));
    const listens = records.filter((r) => r.kind === 'listen');
    const attempts = records.filter((r) => r.kind !== 'loaded');
    console.log(
      `network: guard active in ${threads.size} thread(s) (ids ${[...threads].join(', ')}); ${attempts.length} network call(s) recorded ` +
        `(${attempts.map((a) => `${a.kind} ${a.detail}`).join('; ') || 'none'}); ${nonLocal(records).length} non-local; ${listens.length} listen`,
    );
    assert.ok(threads.has(0), 'the guard ran in the server');
    assert.ok([...threads].some((t) => t > 0), 'the guard ran in the training worker too');
    assert.deepEqual(nonLocal(records), [], 'no attempt to reach another machine');
    assert.deepEqual(listens, [], 'stdio mode binds no port');
  });

  it('at the OS level: in a network namespace with no network, under strace, the server trains and serves without one internet socket', async () => {
    // The guard above works inside Node; this one sees every thread's system calls, native code
    // included. `unshare -rn`: a new network namespace (no interface up), so any attempt fails.
    const straced = (log: string) => ['unshare', '-rn', 'strace', '-f', '-qq', '--seccomp-bpf', '-e', 'trace=%network', '-o', log];
    const inet = (log: string) => fs.readFileSync(log, 'utf8').split('\n').filter((l) => /AF_INET6?\b/.test(l));
    const missing = ['unshare', 'strace'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
    assert.deepEqual(missing, [], 'scripts/setup.sh installs strace (util-linux has unshare)');
    process.env.NODE_OPTIONS = savedOptions ?? ''; // without the in-process guard: the OS sees the real attempts
    if (!process.env.NODE_OPTIONS) delete process.env.NODE_OPTIONS;
    try {
      // Control: the same wrapper sees a program that does try.
      const controlLog = path.join(tmp.dir, 'control.strace');
      spawnSync(straced(controlLog)[0], [...straced(controlLog).slice(1), process.execPath, '-e', "require('net').connect(443, '93.184.216.34').on('error', () => {})"], { timeout: 20_000 });
      const caught = inet(controlLog);
      assert.ok(caught.some((l) => /connect\(.*93\.184\.216\.34/.test(l)), `the wrapper records a connect: ${caught.join(' | ')}`);

      const log = path.join(tmp.dir, 'server.strace');
      const storage = path.join(tmp.dir, 'os-storage');
      const model = path.join(tmp.dir, 'os-model');
      await writeLstmModel(model);
      const workspace = codeWorkspace(path.join(tmp.dir, 'os-workspace'), 2);
      const server = await startTestServer({ modelPath: model, storagePath: storage }, null, straced(log));
      let trained;
      try {
        await server.waitForStatus((s) => s.state === 'ready', 60_000);
        const uri = 'file:///security/os.ts';
        await server.open(uri, FIXTURE_TEXT);
        await server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: { line: 2, character: 4 } });
        trained = await server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 1, dim: 8, budgetMinutes: 0.5 });
        const vectors = path.join(tmp.dir, 'os-vectors.txt');
        await server.connection.sendRequest(ExportEmbeddingsRequest, { path: vectors, format: 'word2vec' });
        await server.connection.sendRequest(LoadModelRequest, { path: trained.modelPath });
      } finally {
        await server.stop();
      }
      const calls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const threads = new Set(calls.map((l) => l.split(' ')[0]));
      const found = inet(log);
      const kinds = new Map<string, number>();
      for (const l of calls) {
        const m = /^\d+ (\w+)\((?:\d+, \{sa_family=|)(AF_\w+)?/.exec(l);
        const kind = m && (m[2] ? `${m[1]} ${m[2]}` : m[1]);
        if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      console.log(
        `network (OS level): trained offline (${trained.vocab} words, ${trained.tokens} tokens); strace saw ${calls.length} network system call(s) ` +
          `in ${threads.size} thread(s) (${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}), ${found.length} with an internet address family${found.length ? `: ${found.slice(0, 5).join(' | ')}` : ''}`,
      );
      assert.equal(trained.cancelled, false, 'training works with no network at all');
      assert.deepEqual(found, [], 'no internet socket, connect, bind or send');
    } finally {
      process.env.NODE_OPTIONS = [savedOptions, guard.nodeOptions].filter(Boolean).join(' ');
    }
  });

  it('--port binds 127.0.0.1 only', async () => {
    const start = guard.records().length;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts'), '--port', '0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          if (/listening on/.test(err)) resolve();
        });
        child.once('exit', () => reject(new Error(`server exited: ${err}`)));
      });
    } finally {
      child.kill();
    }
    const listens = guard.records().slice(start).filter((r) => r.kind === 'listen');
    console.log(`network: --port 0 → listen ${listens.map((l) => l.detail).join(', ')}`);
    assert.equal(listens.length, 1);
    assert.match(listens[0].detail, /^127\.0\.0\.1:0$/);
  });

  it('a hostile word from the workspace is escaped in the hover markdown', async () => {
    const dir = path.join(tmp.dir, 'hostile-vectors');
    const words = ['<unk>', 'alpha', HOSTILE, 'beta', '[link](command:evil)'];
    const dim = 3;
    const values = new Float32Array([0, 0, 0, 1, 0, 0, 0.99, 0.1, 0, 0, 1, 0, 0.98, 0.05, 0.02]);
    await saveModel(dir, {
      meta: { format: 'wordlens-model', version: 1, kind: 'vectors', tokenizer: 'whitespace', hyper: { vocabSize: words.length, embedDim: dim }, metrics: {}, corpus: {}, createdAt: new Date(0).toISOString() },
      vocab: { words, counts: words.map(() => 1) },
      weights: [{ name: 'embedding/embeddings', shape: [words.length, dim], values }],
    });
    const server = await startTestServer({ modelPath: dir });
    try {
      await server.waitForStatus((s) => s.state === 'ready');
      const uri = 'file:///security/hover.txt';
      await server.open(uri, 'alpha', 'plaintext');
      const hover = (await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 2 } })) as Hover;
      const value = (hover.contents as MarkupContent).value;
      console.log(`hover markdown for a hostile neighbour: ${JSON.stringify(value.split('\n').slice(4, 6))}`);
      assert.ok(value.includes('onerror'), 'the hostile neighbour is listed');
      assert.doesNotMatch(value, /(^|[^\\])<img/, 'no raw HTML tag (only an escaped \\<)');
      assert.doesNotMatch(value, /[^\\]\[link\]\(command:/, 'no live command link');
    } finally {
      await server.stop();
    }
  });

  it('the map page: CSP default-src none, a fresh nonce, scripts only by nonce, nothing remote', () => {
    // Desktop VS Code's webview.cspSource: its own resource origin, a wildcard subdomain of vscode-cdn.net.
    const cspSource = 'https://*.vscode-cdn.net';
    const base = 'https://file+.vscode-resource.vscode-cdn.net/ext';
    const sources = { cspSource, script: `${base}/${MAP_SCRIPT.join('/')}`, style: `${base}/${MAP_STYLE.join('/')}` };
    const a = mapPage(sources);
    const b = mapPage(sources);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(a)?.[1] ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.match(csp, /default-src 'none'/);
    assert.ok(nonce && nonce.length >= 16, 'a nonce of at least 16 characters');
    assert.notEqual(nonce, /script-src 'nonce-([^']+)'/.exec(b)?.[1], 'a new nonce per page');
    const others = csp.split(cspSource).join('');
    assert.doesNotMatch(others, /unsafe-inline|unsafe-eval|\*|https?:/, 'no origin besides VS Code\'s own resource origin, no wildcard of ours, no inline/eval');
    const scripts = [...a.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.ok(scripts.length > 0 && scripts.every((s) => s.includes(`nonce="${nonce}"`) && /src="/.test(s)), 'every script external and nonce\'d');
    const urls = [...a.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(urls.every((u) => u.startsWith(base)), `only the extension's own resources: ${urls.join(', ')}`);
  });

  it('the map webview may read only its own bundle and stylesheet (localResourceRoots)', () => {
    const roots = MAP_RESOURCE_ROOTS.map((segments) => path.join(root, ...segments));
    const inRoots = (file: string) => roots.some((r) => file.startsWith(r + path.sep));
    assert.ok(inRoots(path.join(root, ...MAP_SCRIPT)) && inRoots(path.join(root, ...MAP_STYLE)), 'the page can load its script and stylesheet');
    const readable: string[] = [];
    for (const r of roots) {
      assert.ok(fs.existsSync(r), `${path.relative(root, r)} is missing: run npm run build first`);
      for (const e of fs.readdirSync(r, { recursive: true, withFileTypes: true })) if (e.isFile()) readable.push(path.relative(root, path.join(e.parentPath, e.name)));
    }
    console.log(`files the map webview can read: ${readable.sort().join(', ')}`);
    for (const bundle of ['client.js', 'server.js', 'pipelineWorker.js', 'cli.js']) assert.ok(!inRoots(path.join(root, 'dist', bundle)), `dist/${bundle} is not readable by the page`);
    assert.ok(readable.every((f) => /^(dist\/webview\/map\.js(\.map)?|media\/map\/[\w-]+\.css)$/.test(f)), `only the page's own files: ${readable.join(', ')}`);
  });

  it('no network API in the product sources (src/, webview/), except the opt-in 127.0.0.1 listener', () => {
    const api = /\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\s*\(|\bnew\s+(WebSocket|XMLHttpRequest|EventSource)\b|['"](node:)?(https?|http2|dgram|tls|dns)['"]|['"](node:)?net['"]/;
    const allowed = new Set(['src/server/main.ts']); // --port: net.createServer on 127.0.0.1
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (/\.(ts|js|mjs)$/.test(e.name) && !allowed.has(rel)) {
          fs.readFileSync(path.join(root, rel), 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (api.test(line.replace(/\/\/.*$/, ''))) hits.push(`${rel}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk('src');
    if (fs.existsSync(path.join(root, 'webview'))) walk('webview');
    assert.deepEqual(hits, []);
  });
});
