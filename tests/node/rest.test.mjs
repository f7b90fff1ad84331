// A backend written from Tencent's REST documentation: it signs the administrator's UserSig with
// Tencent's own Node signer (npm `tls-sig-api-v2`) and drives a real duet-server over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../support/server.mjs';

const SDKAPPID = 1400012345;
const SECRET = 'node-e2e-secret-key';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);

let server;
let base;

before(async () => {
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET });
  base = server.base;
});

after(() => server?.stop());

async function call(command, body, userSig = signer.genUserSig('administrator', 3600), identifier = 'administrator') {
  const random = Math.floor(Math.random() * 4294967295);
  const url = `${base}/v4/${command}?sdkappid=${SDKAPPID}&identifier=${identifier}&usersig=${encodeURIComponent(userSig)}&random=${random}&contenttype=json`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.json();
}

test('a UserSig from tls-sig-api-v2 drives sendmsg end to end', async () => {
  for (const UserID of ['alice', 'bob']) {
    const r = await call('im_open_login_svc/account_import', { UserID, Nick: UserID.toUpperCase() });
    assert.equal(r.ActionStatus, 'OK', JSON.stringify(r));
  }
  const sent = await call('openim/sendmsg', {
    SyncOtherMachine: 1,
    From_Account: 'alice',
    To_Account: 'bob',
    MsgRandom: 424242,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'signed in Node' } }],
  });
  assert.equal(sent.ActionStatus, 'OK', JSON.stringify(sent));
  assert.equal(sent.ErrorCode, 0);
  assert.match(sent.MsgKey, /^\d+_424242_\d+$/);

  const now = Math.floor(Date.now() / 1000);
  const roam = await call('openim/admin_getroammsg', {
    Operator_Account: 'bob', Peer_Account: 'alice', MaxCnt: 10, MinTime: now - 60, MaxTime: now + 60,
  });
  assert.equal(roam.Complete, 1);
  assert.equal(roam.MsgList.length, 1);
  assert.equal(roam.MsgList[0].MsgKey, sent.MsgKey);
  assert.equal(roam.MsgList[0].From_Account, 'alice');
  assert.deepEqual(roam.MsgList[0].MsgBody, [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'signed in Node' } }]);
});

test('signatures from another key, and ordinary users, are refused', async () => {
  const forged = new TLSSigAPIv2.Api(SDKAPPID, 'not-the-key').genUserSig('administrator', 3600);
  const r = await call('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'bob' }] }, forged);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.equal(r.ErrorCode, 70009);
  const user = await call('im_open_login_svc/account_check', { CheckItem: [] }, signer.genUserSig('bob', 3600), 'bob');
  assert.equal(user.ErrorCode, 90009);
});

/**
 * Runs a shell `script` from the docs against a fresh server as `npm start` runs one (its
 * identity generated into ./data), changing only the server's address and where the binary
 * is. Resolves the script's output lines.
 */
async function runAsWritten(script) {
  const { spawn, execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const cwd = mkdtempSync(join(tmpdir(), 'duet-docs-'));
  const bin = resolve(process.env.DUET_SERVER_BIN ?? 'target/debug/duet-server');
  const child = spawn(bin, ['--listen', '127.0.0.1:0'], { cwd, env: { ...process.env, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const addr = await new Promise((ok, fail) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = out.match(/Duet server on http:\/\/(\S+)/);
        if (m) ok(m[1]);
      });
      child.on('exit', (code) => fail(new Error(`duet-server exited with ${code}`)));
    });
    const local = script.replaceAll('127.0.0.1:8080', addr).replaceAll('target/release/duet-server', bin);
    return execFileSync('bash', ['-euo', 'pipefail', '-c', local], { cwd, encoding: 'utf8' })
      .split(/(?<=\})(?=\{)|\n/).filter((l) => l.trim());
  } finally {
    child.kill();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The ```sh blocks of a Markdown text. */
const shellBlocks = (markdown) => [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README's REST example works as written on a fresh server", async () => {
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync('README.md', 'utf8');
  const [block] = shellBlocks(readme.slice(readme.indexOf('## The REST API (your backend)')));
  const lines = await runAsWritten(block);
  const expected = block.split('\n').filter((l) => l.startsWith('# {')).map((l) => JSON.parse(l.slice(2)));
  assert.equal(lines.length, expected.length, lines.join('\n'));
  lines.forEach((line, i) => {
    const got = JSON.parse(line);
    assert.equal(got.ErrorCode, 0, line);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected[i]).sort(), line);
  });
});

test("every example of docs/rest-api.md works as written, in order, on a fresh server", async () => {
  const { readFileSync } = await import('node:fs');
  // The media upload needs a file of the reader's own; the media tests cover it.
  const blocks = shellBlocks(readFileSync('docs/rest-api.md', 'utf8')).filter((b) => !b.includes('/media?'));
  const calls = blocks.join('\n').split('\n').filter((l) => l.startsWith('api ')).length;
  const lines = await runAsWritten(blocks.join('\n'));
  const answers = lines.map((l) => JSON.parse(l)).filter((a) => 'ActionStatus' in a);
  assert.ok(calls >= 30, `the docs show every command (${calls} calls)`);
  assert.equal(answers.length, calls, lines.join('\n'));
  for (const a of answers) assert.equal(a.ErrorCode, 0, JSON.stringify(a));
});
