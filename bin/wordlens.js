#!/usr/bin/env node
// The CLI entry: runs the bundled CLI when built, else the TypeScript source through tsx.
const path = require('node:path');
const fs = require('node:fs');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
if (fs.existsSync(bundled) && !process.env.WORDLENS_FROM_SOURCE) {
  require(bundled);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'cli.ts'));
}
