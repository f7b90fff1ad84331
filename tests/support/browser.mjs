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
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
};

/**
 * Serves what `lookup(path)` finds — `{ html }`, `{ file }`, or null for 404 — on 127.0.0.1 and
 * a free port. Resolves `{ url, close() }`.
 */
async function serveFiles(lookup) {
  const server = createServer((req, res) => {
    const found = lookup(new URL(req.url, 'http://x').pathname);
    if (found?.html !== undefined) return res.writeHead(200, { 'content-type': 'text/html' }).end(found.html);
    if (!found?.file || !existsSync(found.file)) return res.writeHead(404).end();
    const type = TYPES[extname(found.file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(found.file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Serves `html` at `/` and the package under `/pkg/`. */
export async function servePackage(html) {
  if (!existsSync(join(PKG, 'index.js'))) throw new Error('build the package first: scripts/build-sdk.sh');
  return serveFiles((path) => {
    if (path === '/') return { html };
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, '')));
    return path.startsWith('/pkg/') && file.startsWith(PKG) ? { file } : null;
  });
}

/** Serves a built web app's directory (`index.html` at `/`), as its web server would. */
export function serveDir(dir) {
  return serveFiles((path) => {
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    return file.startsWith(dir) ? { file } : null;
  });
}
