// The embedding map's webview panel: builds its HTML (strict CSP with a nonce, only dist/
// and media/ readable), checks every message both ways (src/mapMessages.ts), forwards the
// webview's questions to the language server and the answers back, and revives the panel
// after a reload (WebviewPanelSerializer; the webview keeps its own state with setState).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SECTION } from './config';
import { MAP_RESOURCE_ROOTS, MAP_SCRIPT, MAP_STYLE, mapPage, type MapRendererSetting } from './mapHtml';
import { MapMessageError, parseToHost, parseToWebview, type ToHost, type ToWebview } from '../mapMessages';
import {
  AnalogyRequest,
  ExportEmbeddingsRequest,
  MapInfoRequest,
  NeighborsRequest,
  ProjectionProgressNotification,
  ProjectionRequest,
  ServerStatusRequest,
  type ProjectionStreamParams,
} from '../protocol';

const MAP_VIEW_TYPE = 'wordlens.map';
export const SHOW_ON_MAP_COMMAND = 'wordlens.showOnMap';

export interface ProjectorDeps {
  extensionUri: vscode.Uri;
  client(): Promise<LanguageClient>;
  output: vscode.LogOutputChannel;
}

let deps: ProjectorDeps | undefined;
let projectionSeq = 0;

/** Registers the panel serializer and "Show on Map"; call once from activate. */
export function registerProjector(d: ProjectorDeps): vscode.Disposable[] {
  deps = d;
  return [
    vscode.window.registerWebviewPanelSerializer(MAP_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        MapPanel.adopt(panel, d);
      },
    }),
    vscode.commands.registerCommand(SHOW_ON_MAP_COMMAND, (word?: unknown) => showOnMap(word)),
  ];
}

/** "Wordlens: Open Embedding Map": opens (or reveals) the map, optionally centred on a word. */
export async function showMap(word?: string): Promise<void> {
  if (!deps) throw new Error('the embedding map is not ready yet (the extension is still starting)');
  const panel = MapPanel.current ?? MapPanel.create(deps);
  panel.reveal();
  if (word) panel.focus(word);
}

/** "Show on Map" for a word given by a link (hover) or, without one, the word at the cursor. */
async function showOnMap(word: unknown): Promise<void> {
  let target = typeof word === 'string' && word.trim() ? word.trim() : undefined;
  if (!target) {
    const editor = vscode.window.activeTextEditor;
    const range = editor && editor.document.getWordRangeAtPosition(editor.selection.active);
    target = range && editor.document.getText(range);
  }
  if (!target) {
    void vscode.window.showInformationMessage('Wordlens: put the cursor on a word to show it on the map.');
    return;
  }
  await showMap(target);
}

class MapPanel {
  static current: MapPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private projection: vscode.CancellationTokenSource | undefined;
  /** A word to centre on once the webview has its data (Show on Map before it loaded). */
  private pendingFocus: string | undefined;
  private webviewReady = false;
  /** The model the webview shows. */
  private shown: { modelPath: string; createdAt: string } | undefined;
  private frameToken: string | undefined;
  private statusFingerprint: string | undefined;
  /** The page has started and asked for data (it reloads when the panel is hidden and shown). */
  private pageLoaded = false;
  private frameListener: vscode.Disposable | undefined;

  static create(d: ProjectorDeps): MapPanel {
    const panel = vscode.window.createWebviewPanel(MAP_VIEW_TYPE, 'Wordlens: Embedding Map', vscode.ViewColumn.Active, panelOptions(d));
    return new MapPanel(panel, d);
  }

  static adopt(panel: vscode.WebviewPanel, d: ProjectorDeps): MapPanel {
    MapPanel.current?.panel.dispose();
    panel.webview.options = panelOptions(d);
    return new MapPanel(panel, d);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly d: ProjectorDeps,
  ) {
    MapPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(d.extensionUri, 'media', 'map.svg');
    panel.webview.html = html(panel.webview, d.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview loses its page (no retainContextWhenHidden: the state is kept with
      // setState instead); messages wait for the new page's "ready".
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.webviewReady = false;
      }),
    );
    // A model trained or loaded while the map is open replaces the old map. The client has
    // one handler per notification (the status bar's), so the panel asks instead: cheaply.
    const timer = setInterval(() => {
      if (panel.visible) void this.refreshIfModelChanged().catch(() => undefined);
    }, 2000);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  reveal(): void {
    this.panel.reveal();
  }

  focus(word: string): void {
    if (this.webviewReady) this.post({ type: 'focus', word });
    else this.pendingFocus = word;
  }

  private post(message: ToWebview): void {
    try {
      parseToWebview(message); // our own messages are checked too: a bug here must not reach the page half-formed
    } catch (error) {
      this.d.output.error(`map: not sent: ${(error as Error).message}`);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    let message: ToHost;
    try {
      message = parseToHost(raw);
    } catch (error) {
      this.d.output.warn(`map: ignored a message from the webview: ${error instanceof MapMessageError ? error.message : String(error)}`);
      return;
    }
    void this.handle(message).catch((error: Error) => {
      const seq = 'seq' in message ? message.seq : undefined;
      this.post({ type: 'error', message: error.message, ...(seq !== undefined ? { seq } : {}) });
    });
  }

  private async handle(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.pageLoaded = true;
        this.shown = undefined;
        return this.sendInfo();
      case 'project':
        return this.project(message.dims);
      case 'neighbors': {
        const client = await this.d.client();
        const r = await client.sendRequest(NeighborsRequest, { word: message.word, k: message.k, metric: message.metric });
        this.post({ type: 'neighbors', seq: message.seq, word: r.word, known: r.known, metric: message.metric, neighbors: r.neighbors });
        return;
      }
      case 'analogy': {
        const client = await this.d.client();
        const r = await client.sendRequest(AnalogyRequest, { a: message.a, b: message.b, c: message.c, k: message.k });
        this.post({ type: 'analogy', seq: message.seq, unknown: r.unknown, results: r.results });
        return;
      }
      case 'exportPng':
        return this.exportPng(message.dataUrl);
      case 'exportTsv':
        return this.exportTsv();
      case 'log':
        if (message.level === 'error') this.d.output.error(`map: ${message.message}`);
        else this.d.output.info(`map: ${message.message}`);
        return;
    }
  }

  private async sendInfo(): Promise<void> {
    this.post({ type: 'status', state: 'loading', message: 'Starting the Wordlens server…' });
    const client = await this.d.client();
    let info;
    try {
      info = await client.sendRequest(MapInfoRequest);
    } catch (error) {
      const text = (error as Error).message;
      const none = /no model/i.test(text);
      this.post({ type: 'status', state: none ? 'none' : 'error', message: none ? 'No model yet: run “Wordlens: Train on Workspace” or “Wordlens: Load Model…”.' : text });
      return;
    }
    this.post({ type: 'info', ...info });
    this.shown = { modelPath: info.modelPath, createdAt: info.facts.createdAt };
    this.webviewReady = true;
    if (this.pendingFocus) {
      this.post({ type: 'focus', word: this.pendingFocus });
      this.pendingFocus = undefined;
    }
  }

  /** Streams PCA then UMAP frames; a newer request (3D toggle, reload) cancels the older one. */
  private async project(dims: 2 | 3): Promise<void> {
    this.projection?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.projection = cts;
    const client = await this.d.client();
    const token = `map-${++projectionSeq}`;
    this.frameToken = token;
    // One handler for the panel's life: the client keeps one handler per method, so a
    // per-request handler disposed late would remove its successor.
    this.frameListener ??= client.onNotification(ProjectionProgressNotification, (frame) => {
      if (frame.token !== this.frameToken) return;
      const { token: _token, coordsBase64, ...rest } = frame;
      // The webview gets a Float32Array: VS Code transfers typed arrays as binary, where a
      // number[] would be serialised again as JSON (a million 2-D points: 8 MB vs ~40 MB).
      // The server sends binary frames base64-encoded (LSP is JSON): decoded once, here.
      const coords = coordsBase64 !== undefined ? float32FromBase64(coordsBase64) : Float32Array.from(rest.coords);
      this.post({ type: 'frame', ...rest, dims: rest.dims === 3 ? 3 : 2, coords });
    });
    try {
      const params: ProjectionStreamParams = { method: 'umap', dims, token, binary: true };
      await client.sendRequest(ProjectionRequest, params, cts.token);
    } catch (error) {
      if (!cts.token.isCancellationRequested) throw error;
    } finally {
      if (this.projection === cts) this.projection = undefined;
      cts.dispose();
    }
  }

  /**
   * Sends the map's data when a model has become ready since the page showed "no model" (e.g.
   * just after a window reload, before the server has loaded it), or when the serving model is
   * not the one shown. The server's status is checked first: it is tiny.
   */
  private async refreshIfModelChanged(): Promise<void> {
    if (!this.pageLoaded) return;
    const client = await this.d.client();
    const status = await client.sendRequest(ServerStatusRequest);
    const fingerprint = `${status.state}|${status.modelPath}|${status.vocab}|${status.ppl}`;
    const changed = fingerprint !== this.statusFingerprint;
    this.statusFingerprint = fingerprint;
    if (status.state !== 'ready' || !changed) return;
    if (!this.shown) return this.sendInfo();
    const info = await client.sendRequest(MapInfoRequest).catch(() => undefined);
    if (!info || (info.modelPath === this.shown.modelPath && info.facts.createdAt === this.shown.createdAt)) return;
    this.shown = { modelPath: info.modelPath, createdAt: info.facts.createdAt };
    this.post({ type: 'info', ...info });
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      saveLabel: 'Export PNG',
      filters: { 'PNG image': ['png'] },
      defaultUri: defaultFile('wordlens-map.png'),
    });
    if (!target) return;
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Wordlens: saved the map to ${target.fsPath}.`);
  }

  private async exportTsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      saveLabel: 'Export vectors.tsv',
      title: 'Wordlens: vectors.tsv for the TensorFlow projector (metadata.tsv is written beside it)',
      filters: { 'TensorFlow projector TSV': ['tsv'] },
      defaultUri: defaultFile('vectors.tsv'),
    });
    if (!target) return;
    const client = await this.d.client();
    const r = await client.sendRequest(ExportEmbeddingsRequest, { path: target.fsPath, format: 'tsv' });
    void vscode.window.showInformationMessage(`Wordlens: exported ${r.words.toLocaleString('en-US')} vectors to ${r.path} (+ metadata.tsv).`);
  }

  private dispose(): void {
    if (MapPanel.current === this) MapPanel.current = undefined;
    this.projection?.cancel();
    this.frameListener?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function panelOptions(d: ProjectorDeps): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: false,
    // Only the page's bundle and stylesheet are readable by it: not the server or CLI bundles,
    // nothing from the workspace.
    localResourceRoots: MAP_RESOURCE_ROOTS.map((segments) => vscode.Uri.joinPath(d.extensionUri, ...segments)),
  };
}

function defaultFile(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, name);
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return mapPage({
    cspSource: webview.cspSource,
    script: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...MAP_SCRIPT)).toString(),
    style: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...MAP_STYLE)).toString(),
    renderer: vscode.workspace.getConfiguration(SECTION).get<MapRendererSetting>('map.renderer', 'auto'),
  });
}

/** Little-endian float32 values from base64 (the server's binary projection frames). */
function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.byteLength >> 2);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  return out;
}
