// The page `npm start` serves (www/ with the package in www/sdk), from duet-server itself:
// two people sign in with UserSigs and chat through the form; text stays text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../support/server.mjs';

const SDKAPPID = 1400034567;
const SECRET = 'playground-key';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);
const run = Date.now() % 1e9;
let server, www, base, browser;

before(async () => {
  assert.ok(existsSync('sdk-wasm/pkg/index.js'), 'build the package first: scripts/build-sdk.sh');
  www = mkdtempSync(join(tmpdir(), 'duet-www-'));
  cpSync('www', www, { recursive: true });
  cpSync('sdk-wasm/pkg', join(www, 'sdk'), { recursive: true });
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET, args: ['--www-dir', www, '--dev-usersig'] });
  base = server.base;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (www) rmSync(www, { recursive: true, force: true });
});

async function signIn(user, { devSig = false } = {}) {
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.getByText(`SDKAppID ${SDKAPPID}`).waitFor();
  await page.getByLabel('User ID').fill(user);
  // Either a UserSig from a backend (Tencent's signer here), or none: the development server signs.
  if (!devSig) await page.getByLabel('UserSig').fill(signer.genUserSig(user, 3600));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${user}`).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).isVisible(), false, 'the sign-in form goes away');
  return { page, errors };
}

test('two people chat on the page npm start serves', async () => {
  const alice = `alice-${run}`, bob = `bob-${run}`;
  const b = await signIn(bob);
  const a = await signIn(alice, { devSig: true });
  await a.page.getByLabel('Chat with').fill(bob);
  const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';
  await a.page.getByLabel('Message', { exact: true }).fill(hostile);
  await a.page.getByRole('button', { name: 'Send' }).click();
  const log = b.page.getByRole('log', { name: 'Messages' });
  await log.getByText(`${alice}: ${hostile}`).waitFor();
  assert.equal(await b.page.evaluate(() => window.pwned), undefined, 'message text is never run as HTML');
  assert.equal(await b.page.locator('#log img').count(), 0);
  await a.page.getByLabel('Chat with').fill(`nobody-${run}`);
  await a.page.getByLabel('Message', { exact: true }).fill('hello?');
  await a.page.getByRole('button', { name: 'Send' }).click();
  await a.page.getByText(/Not sent \(20003\)/).waitFor();
  assert.deepEqual([...a.errors, ...b.errors], []);
});
