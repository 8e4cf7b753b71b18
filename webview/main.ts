// The embedding map's page (the webview bundle's entry): puts the page together and wires
// it up. The state lives in state.ts, drawing in view.ts, the extension's messages in
// messages.ts, the user's input in input.ts; mapMessages checks everything exchanged.
import { bindInput } from './input';
import { mountLayout } from './layout';
import { listenToExtension } from './messages';
import { post } from './state';

mountLayout();
listenToExtension();
bindInput();
post({ type: 'ready' });
