// A backend written from Tencent's third-party callback documentation, in Node: it checks each
// webhook's app and signature (SHA-256 of the token and RequestTime, node:crypto), moderates
// one-to-one messages before they are sent and keeps what it is told after. The server is the
// real binary, configured through its environment as an operator would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../support/server.mjs';

const SDKAPPID = 1400054322;
const SECRET = 'node-webhooks-secret';
const TOKEN = 'callback-token-from-the-console';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);

let server;
let backend;
/** What the backend was told, in order: { command, platform, body }. */
const told = [];

/** The backend's moderation: a word it refuses, one it replaces. */
function moderate(body) {
  const text = body.MsgBody?.[0]?.MsgContent?.Text ?? '';
  if (text.includes('forbidden')) return { ActionStatus: 'OK', ErrorCode: 1, ErrorInfo: '' };
  if (text.includes('spam')) return { ActionStatus: 'OK', ErrorCode: 120002, ErrorInfo: 'looks like spam' };
  if (text.includes('darn')) {
    return {
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '',
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text.replaceAll('darn', 'd**n') } }],
    };
  }
  return { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' };
}

before(async () => {
  backend = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const url = new URL(req.url, 'http://backend');
      const q = url.searchParams;
      const sign = createHash('sha256').update(TOKEN + q.get('RequestTime')).digest('hex');
      const trusted = req.method === 'POST' && q.get('SdkAppid') === String(SDKAPPID)
        && q.get('contenttype') === 'json' && q.get('Sign') === sign
        && Math.abs(Date.now() / 1000 - Number(q.get('RequestTime'))) < 300;
      if (!trusted) {
        res.writeHead(403).end();
        return;
      }
      const body = JSON.parse(raw);
      assert.equal(body.CallbackCommand, q.get('CallbackCommand'));
      told.push({ command: body.CallbackCommand, platform: q.get('OptPlatform'), body });
      const answer = body.CallbackCommand === 'C2C.CallbackBeforeSendMsg'
        ? moderate(body)
        : { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  server = await startServer({
    sdkAppId: SDKAPPID,
    secret: SECRET,
    env: {
      DUET_WEBHOOK_URL: `http://127.0.0.1:${backend.address().port}/im/callback`,
      DUET_WEBHOOK_TOKEN: TOKEN,
      DUET_WEBHOOKS: 'C2C.CallbackBeforeSendMsg,C2C.CallbackAfterSendMsg',
    },
  });
});

after(async () => {
  await server?.stop();
  backend?.close();
});

async function call(command, body) {
  const userSig = encodeURIComponent(signer.genUserSig('administrator', 3600));
  const random = Math.floor(Math.random() * 4294967295);
  const url = `${server.base}/v4/${command}?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${userSig}&random=${random}&contenttype=json`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.json();
}

const send = (from, random, text) => call('openim/sendmsg', {
  From_Account: from, To_Account: 'bob', MsgRandom: random,
  MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
});

/** Waits until the backend was told something `matches`. */
async function toldOf(matches) {
  for (let i = 0; i < 100; i++) {
    const found = told.find(matches);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never told: ${JSON.stringify(told)}`);
}

test('the backend moderates messages before they are sent and hears of them after', async () => {
  for (const UserID of ['alice', 'bob']) {
    assert.equal((await call('im_open_login_svc/account_import', { UserID })).ErrorCode, 0);
  }
  // Let through, and told after with the key the sender got.
  const sent = await send('alice', 1, 'hello bob');
  assert.equal(sent.ErrorCode, 0, JSON.stringify(sent));
  const asked = await toldOf((t) => t.command === 'C2C.CallbackBeforeSendMsg' && t.body.MsgRandom === 1);
  assert.equal(asked.platform, 'RESTAPI');
  assert.equal(asked.body.From_Account, 'alice');
  const after1 = await toldOf((t) => t.command === 'C2C.CallbackAfterSendMsg' && t.body.MsgRandom === 1);
  assert.equal(after1.body.MsgKey, sent.MsgKey);
  assert.equal(after1.body.SendMsgResult, 0);
  assert.equal(after1.body.ErrorInfo, 'send msg succeed');

  // Refused, with Tencent's code or the backend's own.
  const refused = await send('alice', 2, 'something forbidden');
  assert.equal(refused.ErrorCode, 20006, JSON.stringify(refused));
  const spam = await send('alice', 3, 'buy spam');
  assert.equal(spam.ErrorCode, 120002);
  assert.equal(spam.ErrorInfo, 'looks like spam');

  // Changed: bob's history holds the backend's words.
  assert.equal((await send('alice', 4, 'darn it')).ErrorCode, 0);
  const history = await call('openim/admin_getroammsg', {
    Operator_Account: 'bob', Peer_Account: 'alice', MaxCnt: 10, MinTime: 0, MaxTime: 4294967295,
  });
  const texts = history.MsgList.map((m) => m.MsgBody[0].MsgContent.Text);
  assert.deepEqual(texts.sort(), ['d**n it', 'hello bob']);
  const after4 = await toldOf((t) => t.command === 'C2C.CallbackAfterSendMsg' && t.body.MsgRandom === 4);
  assert.equal(after4.body.MsgBody[0].MsgContent.Text, 'd**n it');
  // A refused message is not told after (the backend refused it itself).
  assert.equal(told.filter((t) => t.command === 'C2C.CallbackAfterSendMsg' && t.body.MsgRandom === 2).length, 0);
  // Only the webhooks DUET_WEBHOOKS names were sent.
  assert.deepEqual(
    [...new Set(told.map((t) => t.command))].sort(),
    ['C2C.CallbackAfterSendMsg', 'C2C.CallbackBeforeSendMsg'],
  );
});
