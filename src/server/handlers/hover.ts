// textDocument/hover: the word's nearest neighbours, for LSP clients other than the
// Wordlens extension (which renders its own hover from wordlens/neighbors).
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import type { ServerContext } from '../context';
import { neighborsOf } from './neighbors';

const WORD = /[\p{L}\p{N}_$]/u;

export function registerHover(ctx: ServerContext): void {
  const { connection, documents, host } = ctx;
  connection.onHover((params: HoverParams): Hover | null => {
    const document = documents.get(params.textDocument.uri);
    const model = host.model;
    // While only the n-gram serves there is nothing to show yet (the map and commands say why).
    if (!document || !model?.embeddings) return null;
    const line = document.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
    let start = params.position.character;
    let end = start;
    while (start > 0 && WORD.test(line[start - 1])) start--;
    while (end < line.length && WORD.test(line[end])) end++;
    if (start === end) return null;
    const word = line.slice(start, end);
    const result = neighborsOf(model.embeddings, word, 8, 'cosine');
    if (!result.known || result.neighbors.length === 0) return null;
    const rows = result.neighbors.map((n) => `| ${escapeCell(n.word)} | ${n.score.toFixed(3)} |`);
    return {
      contents: { kind: 'markdown', value: [`**Wordlens** — nearest to \`${word}\``, '', '| word | cosine |', '|---|---|', ...rows].join('\n') },
      range: { start: { line: params.position.line, character: start }, end: { line: params.position.line, character: end } },
    };
  });
}

function escapeCell(text: string): string {
  return text.replace(/[\\|`*_<>[\]]/g, (c) => '\\' + c);
}
