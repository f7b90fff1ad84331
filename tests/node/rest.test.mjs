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

test("the README's REST example works as written on a fresh server", async () => {
  const { spawn, execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## The REST API (your backend)'));
  const block = section.match(/```sh\n([\s\S]*?)```/)[1];
  // A fresh server as `npm start` runs one: its identity generated into ./data.
  const cwd = mkdtempSync(join(tmpdir(), 'duet-readme-'));
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
    // Only the address and where the binary is differ from the README.
    const script = block.replaceAll('127.0.0.1:8080', addr).replaceAll('target/release/duet-server', bin);
    const lines = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8' })
      .split(/(?<=\})(?=\{)|\n/).filter((l) => l.trim());
    const expected = block.split('\n').filter((l) => l.startsWith('# {')).map((l) => JSON.parse(l.slice(2)));
    assert.equal(lines.length, expected.length, lines.join('\n'));
    lines.forEach((line, i) => {
      const got = JSON.parse(line);
      assert.equal(got.ErrorCode, 0, line);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(expected[i]).sort(), line);
    });
  } finally {
    child.kill();
    rmSync(cwd, { recursive: true, force: true });
  }
});
