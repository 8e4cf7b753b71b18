// Tiny DOM helpers. Text always goes in through textContent, never as HTML: every word on the
// map comes from the user's workspace and may look like markup.

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (set as attributes, not HTML) and text or child nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replaces an element's children. */
export function setChildren(parent: Element, ...children: (Node | string)[]): void {
  parent.replaceChildren(...children.map((c) => (typeof c === 'string' ? document.createTextNode(c) : c)));
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A CSS variable of the VS Code theme, with a fallback. */
export function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}
