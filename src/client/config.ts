// The `wordlens.*` settings, read in one place. Server settings go to the server at start
// and on change (the language client forwards the `wordlens` section); the rest stay here.
import * as vscode from 'vscode';
import { defaultSettings, type ServerSettings } from '../protocol';

export const SECTION = 'wordlens';

export interface ClientSettings {
  completionEnabled: boolean;
  debounceMs: number;
  /** languageId → enabled; `*` is the default for languages not listed. */
  languages: Record<string, boolean>;
  autoTrain: boolean;
}

export function readServerSettings(): ServerSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const d = defaultSettings;
  return {
    include: c.get<string[]>('include', d.include),
    exclude: c.get<string[]>('exclude', d.exclude),
    tokenizer: c.get<ServerSettings['tokenizer']>('tokenizer', d.tokenizer),
    modelSize: c.get<ServerSettings['modelSize']>('modelSize', d.modelSize),
    trainingBudgetMinutes: c.get<number>('trainingBudgetMinutes', d.trainingBudgetMinutes),
    trainingLowPriority: c.get<boolean>('trainingLowPriority', d.trainingLowPriority),
    completion: {
      maxTokens: c.get<number>('completion.maxTokens', d.completion.maxTokens),
      temperature: c.get<number>('completion.temperature', d.completion.temperature),
      multiline: c.get<boolean>('completion.multiline', d.completion.multiline),
      jumpContextTokens: c.get<number>('completion.jumpContextTokens', d.completion.jumpContextTokens),
    },
    backend: c.get<ServerSettings['backend']>('backend', d.backend),
    liveTraining: {
      enabled: c.get<boolean>('liveTraining.enabled', d.liveTraining.enabled),
      minutesPerHour: c.get<number>('liveTraining.minutesPerHour', d.liveTraining.minutesPerHour),
    },
  };
}

export function readClientSettings(): ClientSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    completionEnabled: c.get<boolean>('completion.enabled', true),
    debounceMs: Math.max(0, c.get<number>('completion.debounceMs', 75)),
    languages: c.get<Record<string, boolean>>('completion.languages', { '*': true }),
    autoTrain: c.get<boolean>('autoTrain', false),
  };
}

export function isLanguageEnabled(settings: ClientSettings, languageId: string): boolean {
  return settings.languages[languageId] ?? settings.languages['*'] ?? true;
}

/** Flips `wordlens.completion.enabled` where it is set (workspace if set there, else user). */
export async function toggleCompletions(): Promise<boolean> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspect = c.inspect<boolean>('completion.enabled');
  const target =
    inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const next = !c.get<boolean>('completion.enabled', true);
  await c.update('completion.enabled', next, target);
  return next;
}
