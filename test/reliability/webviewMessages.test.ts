// A webview message of unexpected shape: the map panel (src/client/projector.ts) passes every
// message from the webview through parseToHost and drops it with a logged reason when that
// throws MapMessageError. So the validator must never throw anything else (a TypeError would
// escape as an unexplained failure) and never pass a message whose fields are off. Fuzzed
// with mutations of every valid message and with random JSON values; I's unit tests in
// test/unit/mapMessages.test.ts cover the intended cases one by one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MapMessageError, parseToHost } from '../../src/mapMessages';

const VALID: unknown[] = [
  { type: 'ready' },
  { type: 'project', dims: 2 },
  { type: 'neighbors', seq: 1, word: 'total', k: 10, metric: 'cosine' },
  { type: 'analogy', seq: 2, a: 'king', b: 'man', c: 'woman', k: 5 },
  { type: 'exportPng', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
  { type: 'exportTsv' },
  { type: 'log', level: 'info', message: 'hello' },
];

const ODD_VALUES: unknown[] = [
  undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, '', 'x', '<img src=x onerror=alert(1)>', true, [], [1, 'a'], {},
  { toString: 1 }, JSON.parse('{"__proto__": {"type": "ready"}}'), 'a'.repeat(100_000), { nested: { deeper: [{}] } },
];

describe('reliability: webview messages of unexpected shape', () => {
  it('every mutation of a valid message is either still valid or refused with MapMessageError', () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    let refused = 0;
    let accepted = 0;
    const others: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const base = structuredClone(pick(VALID)) as Record<string, unknown>;
      const keys = Object.keys(base);
      const op = rand();
      let message: unknown = base;
      if (op < 0.4) base[pick(keys)] = pick(ODD_VALUES); // a field of the wrong type
      else if (op < 0.6) delete base[pick(keys.filter((k) => k !== 'type').concat('type'))]; // a missing field
      else if (op < 0.75) {
        // An unknown field, as own property (what JSON or a structured clone can carry, `__proto__` included).
        Object.defineProperty(base, pick(['extra', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'then']), { value: pick(ODD_VALUES), enumerable: true });
      }
      else if (op < 0.85) base.type = pick(['', 'READY', 'eval', 'toString', 'neighbors ', '__proto__', 'constructor']);
      else message = pick(ODD_VALUES); // not a message at all
      try {
        const parsed = parseToHost(message) as unknown as Record<string, unknown>;
        accepted++;
        // What passes must be exactly one of the valid shapes: same keys, same value types.
        const model = VALID.find((v) => (v as { type: string }).type === parsed.type) as Record<string, unknown> | undefined;
        assert.ok(model, `accepted an unknown type ${String(parsed.type)}`);
        assert.deepEqual(Object.keys(parsed).sort(), Object.keys(model).sort(), `fields of ${JSON.stringify(parsed).slice(0, 200)}`);
        for (const k of Object.keys(model)) assert.equal(typeof parsed[k], typeof model[k], `type of ${k}`);
      } catch (error) {
        if (error instanceof MapMessageError) refused++;
        else others.push(`${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(message)?.slice(0, 120)}`);
      }
    }
    console.log(`webview messages: 20,000 mutated messages → ${refused} refused with a reason, ${accepted} still valid, ${others.length} other errors`);
    assert.deepEqual(others.slice(0, 5), []);
    assert.ok(refused > 10_000);
  });
});
