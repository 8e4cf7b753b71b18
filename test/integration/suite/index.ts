// The extensionTestsPath module: VS Code calls run() inside the extension host, and the run's
// outcome (resolve or reject) becomes the test process's exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  const grep = process.env.WORDLENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  // *.untrusted.test.js need Restricted Mode: they run only in the WORDLENS_UNTRUSTED_WORKSPACE=1 run, and only they do.
  const untrusted = process.env.WORDLENS_UNTRUSTED_WORKSPACE === '1';
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js') && f.endsWith('.untrusted.test.js') === untrusted)
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files in ${__dirname}`));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
