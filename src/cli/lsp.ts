// wordlens lsp: run the language server (the editor starts it this way too).
import type { Command } from './command';

export const lspCommand: Command = {
  spec: {
    name: 'lsp',
    summary: 'Run the Wordlens language server over stdio (or on 127.0.0.1 with --port).',
    usage: 'wordlens lsp --stdio | --port N',
    options: {
      stdio: { type: 'boolean', description: 'talk LSP over stdin/stdout (the default)' },
      port: { type: 'number', integer: true, min: 0, max: 65535, description: 'listen on 127.0.0.1:N for one client instead' },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
  },
  async run(args) {
    const { startServer } = require('../server/main') as typeof import('../server/main');
    await startServer({ argv: args.has('port') ? ['--port', String(args.number('port'))] : ['--stdio'] });
    // The server ends the process itself when the client says `exit` or disconnects.
    await new Promise<never>(() => undefined);
  },
};
