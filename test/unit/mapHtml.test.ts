import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, mapPage } from '../../src/client/mapHtml';

const sources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  script: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/map.js',
  style: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/map/map.css',
};

test('the map page allows only its nonce script and the extension origin; nothing inline, nothing remote', () => {
  const page = mapPage(sources, 'abc123');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)![1];
  const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['script-src'], ["'nonce-abc123'"]);
  assert.deepEqual(directives['style-src'], [sources.cspSource]);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('*'));
  // Exactly one script, carrying the nonce; no inline style or handlers.
  assert.equal(page.match(/<script/g)!.length, 1);
  assert.match(page, /<script nonce="abc123" src="https:\/\/file\+\.vscode-resource[^"]+\/dist\/webview\/map\.js"><\/script>/);
  assert.ok(!/<style|\sstyle="|\son\w+="/.test(page));
});

test('every page gets a fresh nonce, and odd characters in sources cannot break out of attributes', () => {
  const a = /nonce="([^"]+)"/.exec(mapPage(sources))![1];
  const b = /nonce="([^"]+)"/.exec(mapPage(sources))![1];
  assert.notEqual(a, b);
  assert.ok(a.length >= 20);
  const page = mapPage({ ...sources, script: 'x"><img src=y onerror=z>' }, 'n');
  assert.ok(!page.includes('<img'));
  assert.equal(contentSecurityPolicy('o', 'n').split('; ')[0], "default-src 'none'");
});
