// `npm run lint:layers`: fails (exit 1) when src/ or webview/ break a layering rule of
// .dependency-cruiser.cjs, printing each offending import.
import { checkLayers, REPO_ROOT } from './layering';

checkLayers(REPO_ROOT, ['src', 'webview']).then(
  ({ violations, text }) => {
    process.stdout.write(text);
    process.exitCode = violations.length > 0 ? 1 : 0;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
