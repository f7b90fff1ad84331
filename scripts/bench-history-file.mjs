// `npm run bench`'s hourly history file run: brings MESSAGES one-to-one messages into one past
// hour of a fresh server (`openim/importmsg`, 64 requests at a time; imports keep times in
// order, so the hour must come before any other message the server holds), then asks for that
// hour's file (`open_msg_svc/get_history`) twice, the first time made and the second answered
// from the file kept, and downloads it. Prints one JSON line.
//
// Usage: node scripts/bench-history-file.mjs BASE_URL SDKAPPID ADMIN_USERSIG MESSAGES
// (the server must allow the request rate: DUET_REST_RATE, DUET_REST_BURST).
import { createHash } from 'node:crypto';

const [base, sdkAppId, userSig, count] = process.argv.slice(2);
const messages = Number(count);
const post = async (command, body) => {
  const url = `${base}/v4/${command}?sdkappid=${sdkAppId}&identifier=administrator&usersig=${userSig}&random=1&contenttype=json`;
  const answer = await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json();
  if (answer.ErrorCode !== 0) throw new Error(`${command}: ${JSON.stringify(answer)}`);
  return answer;
};
const seconds = (since) => (performance.now() - since) / 1000;

const users = Array.from({ length: 100 }, (_, i) => `history${i}`);
await post('im_open_login_svc/multiaccount_import', { Accounts: users });
// One second two hours ago: its hour has ended, in any time zone.
const second = Math.floor(Date.now() / 1000) - 7200;
let next = 0;
const importer = async () => {
  for (let i = next++; i < messages; i = next++) {
    await post('openim/importmsg', {
      SyncFromOldSystem: 1,
      From_Account: users[i % 100],
      To_Account: users[(i + 1) % 100],
      MsgRandom: i,
      MsgTimeStamp: second,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `message ${i} of the hour, with a few ordinary words in it` } }],
    });
  }
};
let began = performance.now();
await Promise.all(Array.from({ length: 64 }, importer));
const importSeconds = seconds(began);

// Tencent names hours in Beijing time (UTC+8): YYYYMMDDHH.
const hour = new Date((second + 8 * 3600) * 1000).toISOString().slice(0, 13).replace(/[-T]/g, '');
began = performance.now();
const made = await post('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: hour });
const makeSeconds = seconds(began);
const [file] = made.File;
began = performance.now();
const again = await post('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: hour });
const againSeconds = seconds(began);
began = performance.now();
const gzip = Buffer.from(await (await fetch(file.URL)).arrayBuffer());
const downloadSeconds = seconds(began);
const md5 = createHash('md5').update(gzip).digest('hex');
console.log(JSON.stringify({
  messages,
  import_seconds: importSeconds,
  make_seconds: makeSeconds,
  again_seconds: againSeconds,
  same_file: again.File[0]?.URL === file.URL,
  file_bytes: file.FileSize,
  gzip_bytes: file.GzipSize,
  download_seconds: downloadSeconds,
  download_matches: gzip.length === file.GzipSize && md5 === file.GzipMD5,
}));
