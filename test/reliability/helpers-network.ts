// A preload (node --require, through NODE_OPTIONS) that records every attempt of a process
// and its worker threads to reach the network, and refuses the non-local ones: TCP/IPC
// connects, DNS lookups, HTTP(S) requests, fetch, UDP sockets; and every server `listen`.
// Tests run the product under it and assert the record holds nothing non-local.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NetRecord {
  kind: 'loaded' | 'connect' | 'dns' | 'http' | 'fetch' | 'udp' | 'listen';
  detail: string;
  local: boolean;
  pid: number;
  threadId: number;
}

const GUARD = String.raw`
const fs = require('fs');
const net = require('net');
const dns = require('dns');
const http = require('http');
const https = require('https');
const dgram = require('dgram');
const { threadId } = require('worker_threads');
const logFile = process.env.WORDLENS_NET_LOG;
function record(kind, detail, local) {
  fs.appendFileSync(logFile, JSON.stringify({ kind, detail: String(detail), local, pid: process.pid, threadId }) + '\n');
}
const localHost = (h) => h === undefined || h === null || h === '' || h === 'localhost' || h === '::1' || /^127\./.test(h);
const blocked = (what) => Object.assign(new Error('network access blocked by the Wordlens reliability test: ' + what), { code: 'ECONNREFUSED' });
record('loaded', process.argv.slice(1).join(' ').slice(0, 120), true);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let o = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host, port, ipc;
  if (o && typeof o === 'object') { host = o.host; port = o.port; ipc = o.path; }
  else if (typeof o === 'string' && !/^\d+$/.test(o)) ipc = o;
  else { port = o; host = typeof args[1] === 'string' ? args[1] : undefined; }
  const local = ipc !== undefined || localHost(host);
  record('connect', ipc !== undefined ? 'ipc:' + ipc : (host || 'localhost') + ':' + port, local);
  if (!local) { process.nextTick(() => this.destroy(blocked(host + ':' + port))); return this; }
  return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  const local = localHost(hostname);
  record('dns', hostname, local);
  if (!local) { const cb = rest[rest.length - 1]; if (typeof cb === 'function') process.nextTick(() => cb(blocked(hostname))); return {}; }
  return lookup.call(this, hostname, ...rest);
};
const plookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
  const local = localHost(hostname);
  record('dns', hostname, local);
  return local ? plookup.call(this, hostname, ...rest) : Promise.reject(blocked(hostname));
};
for (const [name, mod] of [['http', http], ['https', https]]) {
  for (const fn of ['request', 'get']) {
    const orig = mod[fn];
    mod[fn] = function (...args) {
      const a = args[0];
      const url = typeof a === 'string' || a instanceof URL ? new URL(String(a)) : undefined;
      const host = url ? url.hostname : a && (a.hostname || a.host);
      record('http', name + '://' + host, localHost(host));
      return orig.apply(this, args);
    };
  }
}
if (typeof globalThis.fetch === 'function') {
  const f = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    let host;
    try { host = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url).hostname; } catch { host = '?'; }
    const local = localHost(host);
    record('fetch', host, local);
    return local ? f.call(this, input, init) : Promise.reject(blocked(host));
  };
}
const createSocket = dgram.createSocket;
dgram.createSocket = function (...args) { record('udp', JSON.stringify(args[0]), false); return createSocket.apply(this, args); };
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const o = args[0];
  const host = o && typeof o === 'object' ? o.host : typeof args[1] === 'string' ? args[1] : undefined;
  const port = o && typeof o === 'object' ? o.port : o;
  record('listen', (host === undefined ? '(all interfaces)' : host) + ':' + port, host !== undefined && localHost(host));
  return listen.apply(this, args);
};
`;

/** Writes the guard into `dir`; returns the NODE_OPTIONS value and a reader of its record. */
export function networkGuard(dir: string): { nodeOptions: string; records(): NetRecord[] } {
  const guard = path.join(dir, 'network-guard.cjs');
  const log = path.join(dir, 'network.log');
  fs.writeFileSync(guard, GUARD);
  fs.writeFileSync(log, '');
  process.env.WORDLENS_NET_LOG = log;
  return {
    nodeOptions: `--require ${JSON.stringify(guard)}`,
    records: () =>
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as NetRecord),
  };
}
