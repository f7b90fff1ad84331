// Media messages through the built npm package in headless Chromium, against a real server on
// another origin (so uploads cross origins as they do for apps): progress events, Tencent's
// payloads on the receiving side, the SDK's own size check, cancel and resend, and a video
// recorded in the page with its cover taken by the SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../support/server.mjs';
import { launchChromium, servePackage } from '../support/browser.mjs';

const SDKAPPID = 1400045678;
const SECRET = 'media-key';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);
const run = Date.now() % 1e9;
let server, pages, browser, page;

before(async () => {
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET });
  pages = await servePackage('<!doctype html><title>duet-chat media</title>');
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  page = await browser.newPage();
  await page.goto(pages.url);
});

after(async () => {
  await browser?.close();
  pages?.close();
  await server?.stop();
});

const sig = (user) => signer.genUserSig(user, 3600);

/** In the page: signs alice and bob in; `window.duet` holds them. */
async function pair(alice, bob) {
  await page.evaluate(async ({ ws, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (userID, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: ws });
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      const received = [];
      chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => received.push(...data));
      await chat.login({ userID, userSig });
      await ready;
      return { chat, received };
    };
    window.duet = { DuetChat, a: await open(alice, aliceSig), b: await open(bob, bobSig) };
    window.until = async (f) => {
      for (let i = 0; i < 200; i++) {
        const v = f();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('timed out');
    };
  }, { ws: server.ws, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
}

test('an image goes up with progress and arrives with its renditions', async () => {
  const alice = `alice-${run}`, bob = `bob-${run}`;
  await pair(alice, bob);
  const got = await page.evaluate(async ({ bob, alice }) => {
    const { a, b } = window.duet;
    const canvas = new OffscreenCanvas(1600, 900);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#3366cc';
    ctx.fillRect(0, 0, 1600, 900);
    // Noise so the PNG is large enough for several progress events.
    const noise = ctx.createImageData(1600, 300);
    for (let i = 0; i < noise.data.length; i++) noise.data[i] = i % 4 === 3 ? 255 : (i * 7919) % 251;
    ctx.putImageData(noise, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const file = new File([blob], 'sunset.png', { type: 'image/png' });
    // As a page takes it from the user: an <input type=file> with the file chosen.
    const input = document.createElement('input');
    input.type = 'file';
    const chosen = new DataTransfer();
    chosen.items.add(file);
    input.files = chosen.files;
    const progress = [];
    const msg = a.chat.createImageMessage({ to: bob, payload: { file: input }, onProgress: (p) => progress.push(p) });
    const sent = await a.chat.sendMessage(msg);
    const m = await window.until(() => b.received.find((x) => x.type === 'TIMImageElem'));
    const list = await b.chat.getMessageList({ conversationID: `C2C${alice}` });
    // Forwarded, the image goes as it is, with nothing uploaded again.
    const forward = b.chat.createForwardMessage({ to: alice, payload: m });
    const forwarded = (await b.chat.sendMessage(forward)).data.message;
    const back = await window.until(() => a.received.find((x) => x.type === 'TIMImageElem'));
    return { progress, sent: sent.data.message, m, size: file.size, listType: list.data.messageList.at(-1).type,
      forwarded: [forward.ID === forwarded.ID, forwarded.status, forward.flow], back: back.payload };
  }, { bob, alice });
  assert.deepEqual(got.forwarded, [true, 'success', 'out']);
  assert.deepEqual(got.back, got.m.payload, 'the forwarded image is the same image');
  assert.ok(got.progress.length >= 1, 'progress was reported');
  assert.equal(got.progress.at(-1), 1);
  assert.ok(got.progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= got.progress[i - 1])), JSON.stringify(got.progress));
  assert.equal(got.sent.status, 'success');
  assert.equal(got.m.payload.imageFormat, 3);
  const infos = got.m.payload.imageInfoArray.map((i) => [i.type, i.width, i.height]);
  assert.deepEqual(infos, [[1, 1600, 900], [2, 720, 405], [3, 198, 111]]);
  assert.equal(got.m.payload.imageInfoArray[0].size, got.size);
  assert.equal(got.listType, 'TIMImageElem');
  const thumb = await fetch(got.m.payload.imageInfoArray[2].url);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
});

test('files too large are refused before uploading; cancel and resend work', async () => {
  const alice = `alice2-${run}`, bob = `bob2-${run}`;
  await pair(alice, bob);
  const got = await page.evaluate(async ({ bob }) => {
    const { a, b } = window.duet;
    const big = new Blob([new Uint8Array(28 * 1024 * 1024 + 1)], { type: 'image/png' });
    const tooBig = (() => {
      try { a.chat.createImageMessage({ to: bob, payload: { file: big } }); return null; } catch (e) { return e.code; }
    })();
    const notImage = await a.chat.sendMessage(
      a.chat.createImageMessage({ to: bob, payload: { file: new File(['<html><script>1</script>'], 'x.png') } }),
    ).then(() => null, (e) => e.code);

    // Cancel a 20 MB upload as soon as it starts, then send the same message again.
    const bytes = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 255;
    const file = new File([bytes], 'report 2026.bin');
    let cancelled = false;
    const msg = a.chat.createFileMessage({
      to: bob,
      payload: { file },
      onProgress: () => { if (!cancelled) { cancelled = true; a.chat.cancelUploadMessage(msg); } },
    });
    const first = await a.chat.sendMessage(msg).then(() => null, (e) => e.code);
    const statusAfterCancel = msg.status;
    const second = await a.chat.sendMessage(msg);
    const m = await window.until(() => b.received.find((x) => x.type === 'TIMFileElem'));
    return { tooBig, notImage, first, statusAfterCancel, status: msg.status, second: second.data.message.status, m, count: b.received.filter((x) => x.type === 'TIMFileElem').length };
  }, { bob });
  assert.equal(got.tooBig, 94001);
  assert.equal(got.notImage, 94002);
  assert.equal(got.first, 61006);
  assert.equal(got.statusAfterCancel, 'fail');
  assert.equal(got.status, 'success');
  assert.equal(got.second, 'success');
  assert.equal(got.m.payload.fileName, 'report 2026.bin');
  assert.equal(got.m.payload.fileSize, 20 * 1024 * 1024);
  assert.match(got.m.payload.fileUrl, /\/media\/[0-9a-f]{64}\/report%202026\.bin$/);
  assert.equal(got.count, 1);
  const download = await fetch(got.m.payload.fileUrl, { headers: { range: 'bytes=0-4095' } });
  assert.equal(download.status, 206);
  assert.match(download.headers.get('content-disposition'), /^attachment; filename="report 2026.bin"/);
});

test('a recorded video goes with its duration and a cover; audio with its duration', async () => {
  const alice = `alice3-${run}`, bob = `bob3-${run}`;
  await pair(alice, bob);
  const got = await page.evaluate(async ({ bob }) => {
    const { a, b } = window.duet;
    const record = async (stream, ms, mimeType) => {
      const rec = new MediaRecorder(stream, { mimeType });
      const chunks = [];
      rec.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((r) => { rec.onstop = r; });
      rec.start(100);
      await new Promise((r) => setTimeout(r, ms));
      rec.stop();
      await stopped;
      stream.getTracks().forEach((t) => t.stop());
      return new Blob(chunks, { type: mimeType });
    };
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const ctx = canvas.getContext('2d');
    let frame = 0;
    const draw = setInterval(() => { ctx.fillStyle = `hsl(${frame++ * 10} 70% 50%)`; ctx.fillRect(0, 0, 320, 240); }, 30);
    const video = await record(canvas.captureStream(30), 1500, 'video/webm');
    clearInterval(draw);
    const audioCtx = new AudioContext();
    const osc = audioCtx.createOscillator();
    const dest = audioCtx.createMediaStreamDestination();
    osc.connect(dest);
    osc.start();
    const audio = await record(dest.stream, 1200, 'audio/webm');
    osc.stop();
    await a.chat.sendMessage(a.chat.createVideoMessage({ to: bob, payload: { file: new File([video], 'clip.webm') } }));
    await a.chat.sendMessage(a.chat.createAudioMessage({ to: bob, payload: { file: new File([audio], 'voice.webm') } }));
    const v = await window.until(() => b.received.find((x) => x.type === 'TIMVideoFileElem'));
    const s = await window.until(() => b.received.find((x) => x.type === 'TIMSoundElem'));
    return { v: v.payload, s: s.payload, videoSize: video.size };
  }, { bob });
  assert.equal(got.v.videoFormat, 'webm');
  assert.equal(got.v.videoSize, got.videoSize);
  assert.ok(got.v.videoSecond >= 1 && got.v.videoSecond <= 3, `videoSecond ${got.v.videoSecond}`);
  assert.deepEqual([got.v.thumbWidth, got.v.thumbHeight], [320, 240]);
  const cover = await fetch(got.v.thumbUrl);
  assert.equal(cover.headers.get('content-type'), 'image/jpeg');
  assert.ok(got.s.second >= 1 && got.s.second <= 3, `second ${got.s.second}`);
  assert.match(got.s.url, /\/media\/[0-9a-f]{64}\/voice\.webm$/);
});
