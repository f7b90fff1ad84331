// `npm run bench:sdk`: the browser SDK in headless Chromium against a release duet-server.
// 10,000 messages wait for a signed-out user; the page signs in and we time the sync into
// IndexedDB (login → SDK_READY), then getMessageList of 20 from the cache, and read the page's
// JS heap. The server keeps 16 MB of offline cache per user here so that all 10,000 arrive by
// sync (with the default 30 KB, the rest come from history on demand). Then 100,000 messages
// (`DUET_BENCH_SEARCH_MESSAGES`) are synced into another user's cache and searched there with
// searchLocalMessages, and with searchCloudMessages for comparison. Prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, servePackage } from '../tests/support/browser.mjs';
import TLSSigAPIv2 from 'tls-sig-api-v2';

const SDKAPPID = 1400099999;
const SECRET = `bench-sdk-${Date.now()}`;
const MESSAGES = Number(process.env.DUET_BENCH_MESSAGES ?? 10000);
const SEARCH_MESSAGES = Number(process.env.DUET_BENCH_SEARCH_MESSAGES ?? 100000);
/** The words messages to search are made of, three each (as `duet-bench search` makes them). */
const WORDS = ['apple', 'river', 'window', 'garden', 'orange', 'silver', 'market', 'rocket', 'pencil',
  'forest', 'summer', 'winter', 'bridge', 'candle', 'dragon', 'planet', 'mirror', 'ticket',
  'castle', 'butter', 'coffee', 'guitar', 'island', 'jacket', 'lemon', 'meadow', 'nickel',
  'oyster', 'parrot', 'quartz', 'saddle', 'tunnel'];
const words = (i) => [3, 11, 19].map((k) => WORDS[Number((BigInt(i) * 2654435761n) >> BigInt(k)) % WORDS.length]).join(' ');
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);

const dataDir = mkdtempSync(join(tmpdir(), 'duet-bench-sdk-'));
const server = spawn('target/release/duet-server', ['--listen', '127.0.0.1:0', '--data-dir', dataDir], {
  env: {
    ...process.env, DUET_SDKAPPID: String(SDKAPPID), DUET_SECRET_KEY: SECRET, RUST_LOG: 'warn',
    DUET_OFFLINE_CACHE_BYTES: String(64 * 1024 * 1024), DUET_REST_RATE: '1000000', DUET_REST_BURST: '1000000',
    DUET_SEARCH_RATE: '1000000', DUET_SEARCH_BURST: '1000000',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const addr = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (c) => {
    out += c;
    const m = out.match(/Duet server on http:\/\/(\S+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`duet-server exited with ${code}`)));
});

/** Sends `count` messages from `from` to `to` over the REST API, 32 at a time. */
async function fill(from, to, count, text) {
  process.stderr.write(`filling ${count} messages… `);
  const fillStart = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < count) {
      const i = next++;
      await rest('openim/sendmsg', {
        From_Account: from, To_Account: to, MsgRandom: i,
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text(i) } }],
      });
    }
  }));
  process.stderr.write(`${((performance.now() - fillStart) / 1000).toFixed(1)} s\n`);
}

async function rest(command, body) {
  const sig = signer.genUserSig('administrator', 3600);
  const url = `http://${addr}/v4/${command}?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${sig}&random=1&contenttype=json`;
  const r = await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json();
  if (r.ErrorCode !== 0) throw new Error(`${command}: ${JSON.stringify(r)}`);
  return r;
}

const pages = await servePackage('<!doctype html><title>bench</title>');
const browser = await launchChromium(['--enable-precise-memory-info']);

try {
  await rest('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
  await fill('alice', 'bob', MESSAGES, (i) => `offline message number ${i}`);

  const page = await browser.newPage();
  await page.goto(pages.url);
  const result = await page.evaluate(async ({ wsUrl, SDKAPPID, sig, MESSAGES }) => {
    const { default: DuetChat } = await import('/pkg/index.js');
    const heapBefore = performance.memory?.usedJSHeapSize ?? 0;
    const chat = await DuetChat.create({ SDKAppID: SDKAPPID, server: wsUrl });
    let received = 0;
    chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => { received += data.length; });
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    const t0 = performance.now();
    await chat.login({ userID: 'bob', userSig: sig });
    await ready;
    const syncMs = performance.now() - t0;
    const samples = [];
    let nextReqMessageID;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const { data } = await chat.getMessageList({ conversationID: 'C2Calice', count: 20, nextReqMessageID });
      samples.push(performance.now() - t);
      nextReqMessageID = data.nextReqMessageID;
    }
    samples.sort((a, b) => a - b);
    const heapAfter = performance.memory?.usedJSHeapSize ?? 0;
    const total = chat.getTotalUnreadMessageCount();
    await chat.logout();
    return { syncMs, received, total, getMessageListMedianMs: samples[10], getMessageListP95Ms: samples[18], heapDelta: heapAfter - heapBefore, expected: MESSAGES };
  }, { wsUrl: `ws://${addr}`, SDKAPPID, sig: signer.genUserSig('bob', 3600), MESSAGES });
  if (result.received !== MESSAGES || result.total !== MESSAGES) throw new Error(`incomplete: ${JSON.stringify(result)}`);

  await rest('im_open_login_svc/multiaccount_import', { Accounts: ['carol', 'dave'] });
  const needle = Math.floor(SEARCH_MESSAGES / 2);
  await fill('dave', 'carol', SEARCH_MESSAGES, (i) => `${words(i)} note ${i}${i === needle ? ' needle' : ''}`);
  const search = await page.evaluate(async ({ wsUrl, SDKAPPID, sig }) => {
    const { default: DuetChat } = await import('/pkg/index.js');
    const chat = await DuetChat.create({ SDKAppID: SDKAPPID, server: wsUrl });
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    const t0 = performance.now();
    await chat.login({ userID: 'carol', userSig: sig });
    await ready;
    const syncMs = performance.now() - t0;
    const queries = {
      one_match: { keywordList: ['needle'] },
      common_word_first_page: { keywordList: ['river'] },
      two_words_together: { keywordList: ['river', 'candle'], keywordListMatchType: DuetChat.TYPES.KEYWORD_LIST_MATCH_TYPE_AND },
      two_characters_no_match: { keywordList: ['zq'] },
    };
    const out = {};
    for (const [name, options] of Object.entries(queries)) {
      for (const where of ['Local', 'Cloud']) {
        const samples = [];
        let found = 0;
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          const { data } = await chat[`search${where}Messages`]({ ...options, count: 20 });
          samples.push(performance.now() - t);
          found = data.searchResultList.reduce((n, g) => n + g.messageCount, 0);
        }
        samples.sort((a, b) => a - b);
        out[`${where.toLowerCase()}_${name}`] = { found, median_ms: +samples[2].toFixed(1) };
      }
    }
    await chat.logout();
    return { syncMs, out };
  }, { wsUrl: `ws://${addr}`, SDKAPPID, sig: signer.genUserSig('carol', 3600) });
  console.log(JSON.stringify({
    messages: MESSAGES,
    sync_seconds: +(result.syncMs / 1000).toFixed(3),
    get_message_list_20_median_ms: +result.getMessageListMedianMs.toFixed(2),
    get_message_list_20_p95_ms: +result.getMessageListP95Ms.toFixed(2),
    js_heap_growth_bytes: result.heapDelta,
    search_messages: SEARCH_MESSAGES,
    search_sync_seconds: +(search.syncMs / 1000).toFixed(2),
    search: search.out,
  }));
} finally {
  await browser.close();
  pages.close();
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
