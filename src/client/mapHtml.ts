// The embedding map's page: no inline script or style, one script carrying a fresh nonce,
// and resources only from the extension (the webview's own origin). Kept free of the vscode
// module so its policy can be unit-tested.
import { randomBytes } from 'node:crypto';

/** The page's two files, as path segments under the extension's folder. */
export const MAP_SCRIPT = ['dist', 'webview', 'map.js'];
export const MAP_STYLE = ['media', 'map', 'map.css'];
/** The only folders the webview may read (`localResourceRoots`): the page's bundle and its stylesheet. */
export const MAP_RESOURCE_ROOTS = [['dist', 'webview'], ['media', 'map']];

export interface MapPageSources {
  /** `webview.cspSource`: the origin the webview serves extension files from. */
  cspSource: string;
  /** `webview.asWebviewUri(...)` of MAP_SCRIPT and MAP_STYLE. */
  script: string;
  style: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function mapPage(sources: MapPageSources, nonce = randomBytes(18).toString('base64')): string {
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(sources.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(sources.style)}">
<title>Wordlens: Embedding Map</title>
</head>
<body>
<div id="app" data-testid="map-app"></div>
<script nonce="${attr(nonce)}" src="${attr(sources.script)}"></script>
</body>
</html>`;
}
