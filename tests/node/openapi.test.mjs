// The OpenAPI description at /v4/openapi.json, read as a tool would read it: it validates against
// the OpenAPI 3.1 schema, and real requests and answers validate against the schemas it gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { startServer } from '../support/server.mjs';

const SDKAPPID = 1400012346;
const SECRET = 'openapi-test-secret';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);

let server;
let doc;

before(async () => {
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET });
  const res = await fetch(`${server.base}/v4/openapi.json`);
  assert.equal(res.status, 200);
  doc = await res.json();
});

after(() => server?.stop());

async function call(command, body) {
  const sig = signer.genUserSig('administrator', 3600);
  const url = `${server.base}/v4/${command}?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${encodeURIComponent(sig)}&random=7&contenttype=json`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return res.json();
}

test('the description is valid OpenAPI 3.1', async () => {
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

test('requests and answers match the schemas the description gives', async () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc, 'openapi');
  const pointer = (path, ...rest) => ['paths', path, 'post', ...rest]
    .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
  const schemaOf = (path, ...rest) => ajv.getSchema(`openapi#/${pointer(path, ...rest)}`);
  const check = (path, request, answer) => {
    const requestSchema = schemaOf(path, 'requestBody', 'content', 'application/json', 'schema');
    assert.ok(requestSchema(request), `${path} request: ${ajv.errorsText(requestSchema.errors)}`);
    const answerSchema = schemaOf(path, 'responses', '200', 'content', 'application/json', 'schema');
    assert.ok(answerSchema(answer), `${path} answer: ${ajv.errorsText(answerSchema.errors)} in ${JSON.stringify(answer)}`);
    return answerSchema;
  };
  const imported = { Accounts: ['ann', 'ben'] };
  check('/v4/im_open_login_svc/multiaccount_import', imported, await call('im_open_login_svc/multiaccount_import', imported));
  const send = {
    From_Account: 'ann',
    To_Account: 'ben',
    MsgRandom: 1,
    MsgBody: [
      { MsgType: 'TIMTextElem', MsgContent: { Text: 'described' } },
      { MsgType: 'TIMCustomElem', MsgContent: { Data: '{"k":1}', Desc: 'card', Ext: '' } },
    ],
  };
  const sent = await call('openim/sendmsg', send);
  assert.equal(sent.ErrorCode, 0, JSON.stringify(sent));
  check('/v4/openim/sendmsg', send, sent);
  const now = Math.floor(Date.now() / 1000);
  const roam = { Operator_Account: 'ben', Peer_Account: 'ann', MaxCnt: 10, MinTime: now - 60, MaxTime: now + 60 };
  const history = await call('openim/admin_getroammsg', roam);
  assert.equal(history.MsgList.length, 1);
  check('/v4/openim/admin_getroammsg', roam, history);
  const list = { Limit: 10 };
  check('/v4/duet/account_list', list, await call('duet/account_list', list));
  // A refusal is described too: the status fields alone.
  const bad = { To_Account: 'nobody-here', MsgRandom: 2, MsgBody: send.MsgBody };
  const refused = await call('openim/sendmsg', bad);
  assert.notEqual(refused.ErrorCode, 0);
  check('/v4/openim/sendmsg', bad, refused);
  // An OK answer without the command's fields would not pass.
  const answerSchema = schemaOf('/v4/openim/sendmsg', 'responses', '200', 'content', 'application/json', 'schema');
  assert.equal(answerSchema({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }), false);
  // And a body the server refuses does not pass the described schema either.
  const requestSchema = schemaOf('/v4/openim/sendmsg', 'requestBody', 'content', 'application/json', 'schema');
  assert.equal(requestSchema({ To_Account: 'ben', MsgBody: 'not a list' }), false);
});
