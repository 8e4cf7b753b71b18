// The search box: plain text (case-insensitive substring) or /regex/flags.

export type Matcher = { test(word: string): boolean; error?: undefined } | { test?: undefined; error: string };

export function parseQuery(query: string): Matcher | undefined {
  const q = query.trim();
  if (!q) return undefined;
  const re = /^\/(.+)\/([a-z]*)$/.exec(q);
  if (re) {
    try {
      const regex = new RegExp(re[1], re[2].replace(/[gy]/g, ''));
      return { test: (w) => regex.test(w) };
    } catch (error) {
      return { error: `invalid regular expression: ${(error as Error).message}` };
    }
  }
  const needle = q.toLowerCase();
  return { test: (w) => w.toLowerCase().includes(needle) };
}

/** 1 for each word that matches. */
export function matchMask(words: readonly string[], matcher: { test(word: string): boolean }): { mask: Uint8Array; count: number } {
  const mask = new Uint8Array(words.length);
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    if (matcher.test(words[i])) {
      mask[i] = 1;
      count++;
    }
  }
  return { mask, count };
}
