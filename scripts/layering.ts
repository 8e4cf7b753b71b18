// Runs the layering rules of .dependency-cruiser.cjs over a tree through dependency-cruiser's
// API (its CLI refuses node 20, which Wordlens supports). Used by scripts/lint-layers.ts on
// the repository and by test/unit/layering.test.ts on planted scratch trees.
import * as path from 'node:path';
import type { IConfiguration, IViolation } from 'dependency-cruiser';

export const REPO_ROOT = path.resolve(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config: IConfiguration = require(path.join(REPO_ROOT, '.dependency-cruiser.cjs'));

export interface LayeringReport {
  violations: IViolation[];
  /** How many modules were cruised (a check that saw no files would also report nothing). */
  modules: number;
  /** dependency-cruiser's `err-long` report (each violation with its rule's comment, or an all clear), then the import chain of each transitive one. */
  text: string;
}

/** Cruises `folders` (relative to `baseDir`) with the project's rules. */
export async function checkLayers(baseDir: string, folders: string[]): Promise<LayeringReport> {
  const options = { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir };
  // dependency-cruiser is ESM only (an `import` condition and no `require` one): imported, not required.
  const { cruise, format } = await import('dependency-cruiser');
  const result = await cruise(folders, options);
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned a report instead of a result');
  const text = await format(result.output, { outputType: 'err-long' });
  const { summary } = result.output;
  // err-long names only the two ends of a reachability violation; the chain says which import to cut.
  const chains = summary.violations
    .filter((v) => v.via?.length)
    .map((v) => `  ${v.rule.name}: ${[v.from, ...(v.via ?? []).map((d) => d.name)].join(' → ')}\n`);
  const chainText = chains.length > 0 ? `reached through:\n${chains.join('')}\n` : '';
  return { violations: summary.violations, modules: summary.totalCruised, text: String(text.output) + chainText };
}
