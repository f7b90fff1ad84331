// Headless Debian Chromium (playwright-core never downloads a browser here), and a plain static
// server for the built npm package on its own origin, as an app's web server would serve it.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Launches Chromium; `args` are added to the usual flags. */
export function launchChromium(args = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...ARGS, ...args] });
}

const PKG = 'sdk-wasm/pkg';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * Serves `html` at `/` and the package under `/pkg/` on 127.0.0.1 and a free port. Resolves
 * `{ url, close() }`.
 */
export async function servePackage(html) {
  if (!existsSync(join(PKG, 'index.js'))) throw new Error('build the package first: scripts/build-sdk.sh');
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, '')));
    if (!path.startsWith('/pkg/') || !file.startsWith(PKG) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
