// When the language server dies, start a new one: the model on disk is always complete (atomic
// saves), so a restart loses at most the training run in progress. The language client's default
// gives up after 5 crashes in 3 minutes, however far apart the server got; here only a crash loop
// stops the restarts: servers that die again and again before they have reported any state, as
// a server that crashes while loading its model would.
import {
  CloseAction,
  ErrorAction,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
} from 'vscode-languageclient/node';

/** Consecutive crashes before the first status report that end the restarts. */
export const MAX_CRASHES_BEFORE_READY = 5;

export class RestartPolicy implements ErrorHandler {
  private crashesBeforeReady = 0;
  private crashes = 0;

  constructor(private readonly log: (message: string) => void) {}

  /** The server reported a state (none/ready/training/error): it started up properly. */
  serverReported(): void {
    this.crashesBeforeReady = 0;
  }

  /** Crashes so far this session (the status menu and tests show it). */
  get crashCount(): number {
    return this.crashes;
  }

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    // A few failed writes or reads are survivable; a broken pipe for good is not.
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    this.crashes++;
    this.crashesBeforeReady++;
    if (this.crashesBeforeReady >= MAX_CRASHES_BEFORE_READY) {
      return {
        action: CloseAction.DoNotRestart,
        message:
          `The Wordlens server stopped ${this.crashesBeforeReady} times in a row before it was ready, so it is not restarted again. ` +
          'See the Wordlens output for why; run "Wordlens: Restart Server" after fixing it.',
      };
    }
    this.log(`the server stopped unexpectedly (crash ${this.crashes} this session); starting a new one`);
    return { action: CloseAction.Restart, handled: true };
  }
}
