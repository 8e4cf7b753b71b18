// The layering of docs/architecture.md as rules that fail: `npm run lint:layers`
// (depcruise over src and webview; part of `npm test`). test/unit/layering.test.ts plants one
// violation per rule in a scratch tree and checks each is reported.
// Paths are relative to the folder cruised from. A package shows up as `.../node_modules/<name>/...`
// when it resolves (with `../` in front where node_modules is a link to another checkout) and as
// its bare name when it does not (a scratch tree has no node_modules): package patterns take both.
const pkg = (name) => `(^|/)node_modules/${name}|^${name}`;

const editorPackages = [
  pkg('vscode(/|$)'),
  pkg('@types/vscode/'),
  pkg('vscode-languageserver'),
  pkg('vscode-languageclient'),
  pkg('vscode-jsonrpc'),
];
const tfjs = pkg('@tensorflow/');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-not-to-editor',
      comment: 'The engine is plain TypeScript + TF.js: it knows nothing of VS Code or LSP.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: editorPackages },
    },
    {
      name: 'engine-not-to-app',
      comment: 'The engine is used by the server and the CLI; it never reaches back into them, the wire protocol, the client or the webview.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: {
        path: [
          '^src/protocol\\.ts$',
          '^src/mapMessages\\.ts$',
          '^src/client/',
          '^src/server/',
          '^src/cli/',
          '^src/cli\\.ts$',
          '^webview/',
        ],
      },
    },
    {
      name: 'client-not-to-engine',
      comment: 'The client holds no model: the engine and TF.js live in the server process.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: ['^src/engine/', tfjs] },
    },
    {
      name: 'server-not-to-vscode',
      comment: 'The server is an LSP server for any editor: VS Code\'s API exists only in the extension host.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: [pkg('vscode(/|$)'), pkg('@types/vscode/'), pkg('vscode-languageclient')] },
    },
    {
      name: 'webview-only-webview',
      comment: 'The webview is browser code: it imports itself and its message types (src/mapMessages.ts), nothing else (no node builtins, no engine, no vscode).',
      severity: 'error',
      from: { path: '^webview/' },
      to: { pathNot: ['^webview/', '^src/mapMessages\\.ts$'] },
    },
    {
      name: 'text-ngram-not-to-tfjs',
      comment: 'Tokenizing, corpus walking and the n-gram run without TF.js (the CLI\'s n-gram paths, fast tests): not directly, nor through another module.',
      severity: 'error',
      from: { path: '^src/engine/(text|ngram)/' },
      to: { path: tfjs, reachable: true },
    },
  ],
  options: {
    // Type-only imports count: a type from the wrong layer is a dependency on it.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/engine/kernels/assembly/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
