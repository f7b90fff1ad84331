// The demo web client (demo-app, built into www/app) served by duet-server itself, driven as
// people use it: each person is a browser context, signing in through the development UserSig
// endpoint as `npm start` runs it. Screenshots of the main screens go to tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { startServer } from '../support/server.mjs';
import { launchChromium } from '../support/browser.mjs';

const SDKAPPID = 1400034567;
const SECRET = 'demo-app-key';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);
const ARTIFACTS = 'tests/artifacts';
const run = Date.now() % 1e9;
let server, browser;

before(async () => {
  assert.ok(existsSync('www/app/app.js'), 'build the demo first: scripts/build-demo.sh');
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET, args: ['--www-dir', 'www', '--dev-usersig'] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A person with their own browser profile (a device), signed in as `user`; in `context`, a
 * browser profile they already have open, this is another tab of it. */
async function person(user, { width = 1100, height = 720, init, context: open } = {}) {
  const context = open ?? await browser.newContext({ viewport: { width, height } });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.base);
  await page.getByLabel('User ID').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await ready(page);
  return { page, context, errors, user };
}

/** Waits until the first sync finished (the banner is gone). */
async function ready(page) {
  await page.locator('.banner').waitFor({ state: 'detached', timeout: 20_000 });
}

const nav = (page) => page.getByRole('navigation', { name: 'Conversations' });
const log = (page) => page.getByRole('log', { name: 'Messages' });

async function startChat(page, peer) {
  await page.getByLabel('Chat with').fill(peer);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await log(page).waitFor();
}

async function send(page, text) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}/demo-${name}.png` });
}

/** A `width` × `height` PNG of horizontal colour bands. */
function png(width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(Buffer.from([0]), Buffer.alloc(width * 3, (y * 3) % 256));
  }
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The administrator's REST call, as an app backend makes it. */
async function rest(command, body) {
  const sig = encodeURIComponent(signer.genUserSig('administrator', 3600));
  const random = Math.floor(Math.random() * 4294967295);
  const url = `${server.base}/v4/${command}?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${sig}&random=${random}&contenttype=json`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(json.ActionStatus, 'OK', JSON.stringify(json));
  return json;
}

test('the page comes compressed and whole: its module once, as Brotli, a third of its size', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  const failed = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  page.on('console', (m) => m.type() === 'error' && failed.push(m.text()));
  const module = page.waitForResponse((r) => r.url().endsWith('/app/app_bg.wasm'));
  await page.goto(server.base);
  await page.getByLabel('User ID').waitFor();
  const response = await module;
  // Preloaded by the page and then used: one request, none of them refused (no icon missing).
  assert.equal(fetched.filter((p) => p === '/app/app_bg.wasm').length, 1, fetched.join(' '));
  assert.deepEqual(failed, []);
  const headers = await response.allHeaders();
  assert.equal(headers['content-encoding'], 'br');
  assert.equal(headers['content-type'], 'application/wasm');
  // What crossed the network, against the module the browser compiled from it.
  const sent = Number((await response.request().sizes()).responseBodySize);
  const body = (await response.body()).length;
  assert.ok(sent > 0 && sent < body / 2, `${sent} bytes sent for a ${body}-byte module`);
  await context.close();
});

test('two people chat live; hostile text stays text and links are links', async () => {
  const alice = await person(`alice-${run}`);
  const bob = await person(`bob-${run}`);
  await shot(alice.page, 'empty');
  await startChat(alice.page, bob.user);
  await send(alice.page, 'Hi Bob! See https://example.org/docs.');
  await log(alice.page).getByText('Sent', { exact: false }).first().waitFor();

  // Bob sees the conversation appear with an unread badge, then the message.
  const entry = nav(bob.page).getByRole('button', { name: new RegExp(alice.user) });
  await nav(bob.page).getByRole('button', { name: new RegExp(`${alice.user}.*1 unread`) }).waitFor();
  await entry.click();
  await log(bob.page).getByText('Hi Bob! See').waitFor();
  const link = log(bob.page).getByRole('link', { name: 'https://example.org/docs' });
  assert.equal(await link.getAttribute('href'), 'https://example.org/docs');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  // Opening the chat marked it read, and alice sees the read receipt.
  await entry.locator('.badge').waitFor({ state: 'detached' });
  await log(alice.page).locator('.msg.out', { hasText: 'Hi Bob!' }).locator('.status.read').getByText('Read').waitFor();

  // Shift+Enter starts a new line; Enter sends both lines as one message.
  const field = bob.page.getByLabel('Message', { exact: true });
  await field.fill('first line');
  await field.press('Shift+Enter');
  await field.pressSequentially('second line');
  await field.press('Enter');
  const twoLines = log(alice.page).locator('.msg.in .text', { hasText: 'second line' });
  await twoLines.waitFor();
  assert.equal(await twoLines.innerText(), 'first line\nsecond line');
  assert.equal(await field.inputValue(), '', 'the field is empty once sent');

  const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';
  await send(bob.page, hostile);
  await log(alice.page).getByText(hostile).waitFor();
  assert.equal(await alice.page.evaluate(() => window.pwned), undefined, 'message text is never run as HTML');
  assert.equal(await log(alice.page).locator('img:not(.avatar)').count(), 0);

  // Bubbles: own on the right (out), the peer's on the left (in), with the sender's name.
  const mine = log(alice.page).locator('.msg.out', { hasText: 'Hi Bob!' });
  const theirs = log(alice.page).locator('.msg.in', { hasText: hostile });
  assert.equal(await mine.count(), 1);
  assert.equal(await theirs.locator('.from').textContent(), bob.user);
  await shot(alice.page, 'chat');
  await shot(bob.page, 'chat-bob');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('offline messages arrive at sign-in with the unread badge, counted in the tab\'s title', async () => {
  const alice = await person(`alice2-${run}`);
  let bob = await person(`bob2-${run}`);
  await startChat(bob.page, alice.user);
  await send(bob.page, 'I will be away');
  await log(bob.page).getByText('Sent').first().waitFor();
  await bob.context.close();

  await startChat(alice.page, bob.user);
  for (const n of [1, 2, 3]) {
    await send(alice.page, `while you were out ${n}`);
  }
  await log(alice.page).locator('.status.sent').nth(2).waitFor();

  bob = await person(bob.user);
  const entry = nav(bob.page).getByRole('button', { name: new RegExp(alice.user) });
  await entry.getByText('while you were out 3').waitFor();
  assert.equal((await entry.locator('.badge').textContent()).trim(), '3 unread');
  assert.equal(await bob.page.title(), '(3) Duet');
  await shot(bob.page, 'unread');
  await entry.click();
  for (const n of [1, 2, 3]) await log(bob.page).getByText(`while you were out ${n}`).waitFor();
  // Read by opening the chat: the title no longer counts them.
  await bob.page.waitForFunction(() => document.title === 'Duet');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('one person on two devices sees their own messages on both', async () => {
  const user = `alice3-${run}`, peer = `bob3-${run}`;
  await rest('im_open_login_svc/account_import', { UserID: peer });
  const phone = await person(user, { width: 390, height: 760 });
  const laptop = await person(user);
  await startChat(laptop.page, peer);
  await send(laptop.page, 'sent from the laptop');
  const entry = nav(phone.page).getByRole('button', { name: new RegExp(peer) });
  await entry.click();
  const mine = log(phone.page).locator('.msg.out', { hasText: 'sent from the laptop' });
  await mine.waitFor();
  // On a phone the chat replaces the list; Back returns to it.
  assert.equal(await nav(phone.page).isVisible(), false);
  await shot(phone.page, 'phone-chat');
  await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
  await nav(phone.page).waitFor();
  assert.deepEqual([...phone.errors, ...laptop.errors], []);
  await phone.context.close();
  await laptop.context.close();
});

test('two tabs of one person in one browser both follow their chats', async () => {
  const tab1 = await person(`alice-tabs-${run}`);
  const tab2 = await person(tab1.user, { context: tab1.context });
  const bob = await person(`bob-tabs-${run}`);
  await startChat(bob.page, tab1.user);
  await send(bob.page, 'hello both tabs');
  // The two tabs share one cache: whichever stores the message second still shows it.
  for (const { page } of [tab1, tab2]) {
    await nav(page).getByRole('button', { name: new RegExp(`${bob.user}.*1 unread`) }).waitFor();
  }
  await nav(tab1.page).getByRole('checkbox', { name: `Pin ${bob.user}` }).click();
  await nav(tab2.page).getByRole('checkbox', { name: `Pin ${bob.user}`, checked: true }).waitFor();
  assert.deepEqual([...tab1.errors, ...tab2.errors, ...bob.errors], []);
  for (const p of [tab1, bob]) await p.context.close();
});

test('an edited message shows its new words and an "edited" mark to both people, on every device', async () => {
  const alice = await person(`alice-ed-${run}`);
  const laptop = await person(alice.user);
  const bob = await person(`bob-ed-${run}`);
  await startChat(alice.page, bob.user);
  await send(alice.page, 'see you at 5');
  const mine = log(alice.page).locator('.msg.out', { hasText: 'see you at 5' });
  await mine.locator('.status.sent').waitFor();
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  await log(bob.page).getByText('see you at 5').waitFor();
  assert.equal(await log(bob.page).getByRole('button', { name: 'Edit' }).count(), 0, 'only your own messages offer Edit');
  // Edited in place: Escape leaves the message as it was.
  const field = mine.getByLabel('Edit message');
  await mine.getByRole('button', { name: 'Edit' }).click();
  assert.equal(await field.inputValue(), 'see you at 5');
  await field.press('Escape');
  await field.waitFor({ state: 'detached' });
  assert.equal(await mine.locator('.edited').count(), 0);
  // Enter saves, with the lines Shift+Enter started.
  await mine.getByRole('button', { name: 'Edit' }).click();
  await field.fill('see you at 6');
  await field.press('Shift+Enter');
  await field.pressSequentially('at the station');
  await shot(alice.page, 'editing');
  await field.press('Enter');
  for (const page of [alice.page, bob.page]) {
    const edited = log(page).locator('.msg', { hasText: 'see you at 6' });
    await edited.locator('.edited').waitFor();
    assert.equal(await edited.locator('.text').innerText(), 'see you at 6\nat the station');
    assert.equal(await log(page).getByText('see you at 5').count(), 0);
  }
  await nav(laptop.page).getByRole('button', { name: new RegExp(bob.user) }).click();
  await log(laptop.page).locator('.msg.out', { hasText: 'see you at 6' }).locator('.edited').waitFor();
  await shot(bob.page, 'edited');
  assert.deepEqual([...alice.errors, ...laptop.errors, ...bob.errors], []);
  for (const p of [alice, laptop, bob]) await p.context.close();
});

test('Recall takes a message back from both people, Delete takes it off one\'s own devices; both ask first', async () => {
  const alice = await person(`alice-rd-${run}`);
  const bob = await person(`bob-rd-${run}`);
  await startChat(alice.page, bob.user);
  await send(alice.page, 'wrong chat, sorry');
  await send(alice.page, 'a note to delete');
  const mine = (text) => log(alice.page).locator('.msg.out', { hasText: text });
  await mine('a note to delete').locator('.status.sent').waitFor();
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  await log(bob.page).getByText('a note to delete').waitFor();
  const questions = [];
  const answer = (yes) => alice.page.once('dialog', (d) => { questions.push(d.message()); return yes ? d.accept() : d.dismiss(); });

  // Cancel leaves it as it was.
  answer(false);
  await mine('wrong chat, sorry').getByRole('button', { name: 'Recall' }).click();
  await alice.page.waitForTimeout(300);
  assert.equal(await log(bob.page).getByText('wrong chat, sorry').count(), 1);
  // Recalled: gone for both, each told.
  answer(true);
  await mine('wrong chat, sorry').getByRole('button', { name: 'Recall' }).click();
  await log(alice.page).getByText('You recalled a message').waitFor();
  await log(bob.page).getByText(`${alice.user} recalled a message`).waitFor();
  assert.equal(await log(bob.page).getByText('wrong chat, sorry').count(), 0);
  // Deleted: gone from alice's view; bob keeps his copy.
  answer(true);
  await mine('a note to delete').getByRole('button', { name: 'Delete' }).click();
  await mine('a note to delete').waitFor({ state: 'detached' });
  assert.equal(await log(bob.page).getByText('a note to delete').count(), 1);
  assert.deepEqual(questions, [
    `Recall this message? ${bob.user} will no longer see it.`,
    `Recall this message? ${bob.user} will no longer see it.`,
    `Delete this message from all your devices? ${bob.user} keeps it.`,
  ]);
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('a muted chat keeps its unread badge but leaves the tab\'s count, until unmuted', async () => {
  const ann = await person(`ann-mu-${run}`);
  const ben = `ben-mu-${run}`;
  await rest('im_open_login_svc/account_import', { UserID: ben });
  await rest('openim/sendmsg', {
    From_Account: ben, To_Account: ann.user, MsgRandom: 1, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'news' } }],
  });
  const entry = nav(ann.page).getByRole('button', { name: new RegExp(ben) });
  await entry.getByText('news').waitFor();
  await ann.page.waitForFunction(() => document.title === '(1) Duet');
  // Muted from the People tab: the chat's own count stays, the tab's no longer counts it.
  await ann.page.getByRole('button', { name: 'People' }).click();
  await ann.page.getByLabel('Mute user').fill(ben);
  await ann.page.getByRole('button', { name: 'Mute', exact: true }).click();
  await ann.page.getByRole('button', { name: `Unmute ${ben}` }).waitFor();
  await ann.page.waitForFunction(() => document.title === 'Duet');
  assert.equal((await entry.locator('.badge').textContent()).trim(), '1 unread');
  await ann.page.getByRole('button', { name: `Unmute ${ben}` }).click();
  await ann.page.waitForFunction(() => document.title === '(1) Duet');
  assert.deepEqual(ann.errors, []);
  await ann.context.close();
});

test('a pinned chat stays on top, a star and a draft follow the person to their other device', async () => {
  const laptop = await person(`alice-pin-${run}`);
  const phone = await person(laptop.user, { width: 390, height: 760 });
  const bob = await person(`bob-pin-${run}`);
  const carol = await person(`carol-pin-${run}`);
  for (const [from, text] of [[bob, 'from bob'], [carol, 'from carol']]) {
    await startChat(from.page, laptop.user);
    await send(from.page, text);
    await log(from.page).locator('.msg.out .status.sent').waitFor();
  }
  const entries = (page) => nav(page).locator('.entry .who');
  await nav(laptop.page).getByText('from carol').waitFor();
  assert.match(await entries(laptop.page).first().textContent(), /carol/, 'most recent first');
  // A click rather than `check()`: the entry moves to the top when the server's state comes
  // back, which `check()` may read as a box that did not change.
  await nav(laptop.page).getByRole('checkbox', { name: `Pin ${bob.user}` }).click();
  for (const page of [laptop.page, phone.page]) {
    // The first entry of the list, once the server's state is back (checking the box only
    // ticks it here).
    await nav(page).locator('li').first().getByRole('checkbox', { name: `Pin ${bob.user}`, checked: true }).waitFor();
    assert.match(await entries(page).first().textContent(), /bob/, 'the pinned chat comes first');
  }
  // A star set on the laptop shows on the phone, and so does taking it away.
  await nav(laptop.page).getByRole('checkbox', { name: `Star ${carol.user}` }).click();
  await nav(phone.page).getByRole('checkbox', { name: `Star ${carol.user}`, checked: true }).waitFor();
  assert.equal(await nav(phone.page).getByRole('checkbox', { name: `Star ${bob.user}` }).isChecked(), false, 'only that chat');
  await shot(laptop.page, 'pinned');
  await nav(phone.page).getByRole('checkbox', { name: `Star ${carol.user}` }).click();
  await nav(laptop.page).getByRole('checkbox', { name: `Star ${carol.user}`, checked: false }).waitFor();
  // What the laptop was writing shows on the phone when it opens the chat.
  await nav(laptop.page).getByRole('button', { name: new RegExp(`^.*${bob.user}.*from bob`) }).click();
  await laptop.page.getByLabel('Message', { exact: true }).fill('half a thought');
  await nav(laptop.page).getByRole('button', { name: new RegExp(carol.user) }).first().click();
  await nav(phone.page).getByText('Draft: half a thought').waitFor();
  await nav(phone.page).getByRole('button', { name: new RegExp(`${bob.user}.*half a thought`) }).click();
  const field = phone.page.getByLabel('Message', { exact: true });
  await phone.page.waitForFunction(() => document.querySelector('textarea[aria-label="Message"]')?.value === 'half a thought');
  await shot(phone.page, 'draft');
  await field.fill('the whole thought');
  await field.press('Enter');
  await log(bob.page).getByText('the whole thought').waitFor();
  await nav(laptop.page).getByText('Draft: half a thought').waitFor({ state: 'detached' });
  assert.deepEqual([...laptop.errors, ...phone.errors, ...bob.errors, ...carol.errors], []);
  for (const p of [laptop, phone, bob, carol]) await p.context.close();
});

test('the header says "typing…" while the other person types, until their message comes', async () => {
  const alice = await person(`alice-ty-${run}`);
  const bob = await person(`bob-ty-${run}`);
  await startChat(bob.page, alice.user);
  await startChat(alice.page, bob.user);
  await alice.page.getByLabel('Message', { exact: true }).pressSequentially('on my way', { delay: 20 });
  const typing = bob.page.getByRole('status').filter({ hasText: 'typing…' });
  await typing.waitFor();
  await shot(bob.page, 'typing');
  await alice.page.getByLabel('Message', { exact: true }).press('Enter');
  await log(bob.page).getByText('on my way').waitFor();
  await typing.waitFor({ state: 'detached' });
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('a reply quotes the message as TUIKit does, and the quote jumps to it', async () => {
  const alice = await person(`alice-re-${run}`);
  const bob = await person(`bob-re-${run}`);
  await startChat(alice.page, bob.user);
  await send(alice.page, 'where are you?');
  await send(alice.page, 'and when?');
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  const original = log(bob.page).locator('.msg.in', { hasText: 'where are you?' });
  const replying = bob.page.getByRole('status').filter({ hasText: `Replying to ${alice.user}` });
  const field = bob.page.getByLabel('Message', { exact: true });
  // Escape drops a reply chosen by mistake; Reply puts the cursor in the field.
  await log(bob.page).locator('.msg.in', { hasText: 'and when?' }).getByRole('button', { name: 'Reply' }).click();
  await replying.waitFor();
  assert.equal(await field.evaluate((f) => f === document.activeElement), true);
  await field.press('Escape');
  await replying.waitFor({ state: 'detached' });
  await original.getByRole('button', { name: 'Reply' }).click();
  await replying.filter({ hasText: 'where are you?' }).waitFor();
  await send(bob.page, 'at the station');
  await bob.page.getByRole('status').filter({ hasText: 'Replying to' }).waitFor({ state: 'detached' });
  const quote = log(alice.page).locator('.msg.in', { hasText: 'at the station' })
    .getByRole('button', { name: `Reply to ${alice.user}: where are you?. Show that message` });
  await quote.waitFor();
  await shot(alice.page, 'reply');
  await quote.click();
  const focused = await alice.page.evaluate(() => document.activeElement?.textContent ?? '');
  assert.match(focused, /where are you\?/, 'the quote brings the quoted message into focus');
  // Stored in TUIKit's shape, for Tencent clients to show.
  const now = Math.floor(Date.now() / 1000);
  const roam = await rest('openim/admin_getroammsg', { Operator_Account: alice.user, Peer_Account: bob.user, MaxCnt: 10, MinTime: now - 600, MaxTime: now + 60 });
  const reply = roam.MsgList.find((m) => m.From_Account === bob.user);
  const quoted = roam.MsgList.find((m) => m.MsgBody[0].MsgContent.Text === 'where are you?');
  const { messageReply } = JSON.parse(reply.CloudCustomData);
  assert.equal(messageReply.messageAbstract, 'where are you?');
  assert.equal(messageReply.messageSender, alice.user);
  assert.equal(messageReply.messageType, 1);
  assert.equal(messageReply.version, 1);
  assert.equal(messageReply.messageSequence, quoted.MsgSeq);
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('reactions under a bubble, presence dots, and a search whose result opens the chat at the message', async () => {
  const alice = await person(`alice-fx-${run}`);
  const bob = await person(`bob-fx-${run}`);
  await startChat(alice.page, bob.user);
  await send(alice.page, 'the quarterly figures are in');
  await log(alice.page).locator('.msg.out .status.sent').waitFor();
  // Presence: bob is online for alice, as a dot on his picture and a word in the header.
  await nav(alice.page).locator('.entry .presence.online').waitFor();
  await alice.page.locator('.chat-head .presence-text', { hasText: 'online' }).waitFor();

  // Bob reacts from the keyboard: the React button opens the picker, a choice closes it.
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  const onBob = log(bob.page).locator('.msg.in', { hasText: 'quarterly' });
  await onBob.getByRole('button', { name: 'React', exact: true }).focus();
  await bob.page.keyboard.press('Enter');
  await onBob.getByRole('group', { name: 'Pick a reaction' }).waitFor();
  await onBob.getByRole('button', { name: 'React with 🎉' }).focus();
  await bob.page.keyboard.press('Enter');
  await onBob.getByRole('button', { name: '🎉 1, yours: take it back' }).waitFor();
  const onAlice = log(alice.page).locator('.msg.out', { hasText: 'quarterly' });
  await onAlice.getByRole('button', { name: '🎉 1: react with it too' }).click();
  await onBob.getByRole('button', { name: '🎉 2, yours: take it back', pressed: true }).waitFor();
  await onAlice.getByRole('button', { name: '🎉 2, yours: take it back' }).waitFor();

  // Many messages later, a new device of alice finds the message and opens the chat at it.
  for (let i = 0; i < 30; i++) {
    await rest('openim/sendmsg', {
      From_Account: bob.user, To_Account: alice.user, MsgRandom: 9000 + i, SyncOtherMachine: 1,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `later ${i}` } }],
    });
  }
  await log(alice.page).getByText('later 29').waitFor();
  const laptop = await person(alice.user);
  await laptop.page.getByRole('button', { name: 'Search', exact: true }).click();
  await laptop.page.getByLabel('Search messages').fill('QUARTERLY figures');
  await laptop.page.getByLabel('Search messages').press('Enter');
  const result = laptop.page.getByRole('list', { name: 'Search results' })
    .getByRole('button', { name: `Show the message from ${alice.user} in the chat with ${bob.user}: the quarterly figures are in` });
  await result.waitFor();
  await shot(laptop.page, 'search');
  await result.click();
  await laptop.page.waitForFunction(() => /quarterly/.test(document.activeElement?.textContent ?? ''), null, { timeout: 20_000 });
  const focused = log(laptop.page).locator('.msg:focus');
  await focused.getByRole('button', { name: '🎉 2, yours: take it back' }).waitFor();
  await shot(laptop.page, 'reactions');
  await laptop.page.getByRole('button', { name: 'Search', exact: true }).click();
  await laptop.page.getByLabel('Search messages').fill('nothing like this');
  await laptop.page.getByLabel('Search messages').press('Enter');
  await laptop.page.getByRole('status').filter({ hasText: 'Nothing found for “nothing like this”.' }).waitFor();

  // Bob hides his presence in the profile panel: alice's dot goes; then he leaves.
  await bob.page.getByRole('button', { name: 'Profile', exact: true }).click();
  await bob.page.getByLabel('Hide when I am online and when I was last seen').check();
  await nav(alice.page).locator('.entry .presence').waitFor({ state: 'detached' });
  await bob.page.getByLabel('Hide when I am online and when I was last seen').uncheck();
  await nav(alice.page).locator('.entry .presence.online').waitFor();
  // Bob says what he is up to: alice reads it in the chat header.
  await bob.page.getByLabel('What you are up to').fill('at the dentist 🦷');
  await bob.page.getByRole('button', { name: 'Set status' }).click();
  await alice.page.locator('.chat-head .custom-status', { hasText: 'at the dentist 🦷' }).waitFor();
  await shot(alice.page, 'presence');
  await bob.context.close();
  await nav(alice.page).locator('.entry .presence.offline').waitFor();
  await alice.page.locator('.chat-head .presence-text', { hasText: 'last seen' }).waitFor();
  assert.deepEqual([...alice.errors, ...laptop.errors, ...bob.errors], []);
  for (const p of [alice, laptop]) await p.context.close();
});

test('a blocked sender sees the refusal in plain words and can resend after unblocking', async () => {
  const alice = await person(`alice4-${run}`);
  const bob = await person(`bob4-${run}`);
  await bob.page.getByRole('button', { name: 'People' }).click();
  await bob.page.getByLabel('Block user').fill(alice.user);
  await bob.page.getByRole('button', { name: 'Block', exact: true }).click();
  await bob.page.getByRole('button', { name: `Unblock ${alice.user}` }).waitFor();
  await shot(bob.page, 'people');

  await startChat(alice.page, bob.user);
  await send(alice.page, 'can you hear me?');
  await log(alice.page).getByText(`Not delivered: ${bob.user} has blocked you.`).waitFor();

  await bob.page.getByRole('button', { name: `Unblock ${alice.user}` }).click();
  await bob.page.getByText('Nobody is blocked.').waitFor();
  await log(alice.page).getByRole('button', { name: 'Resend' }).click();
  await log(alice.page).locator('.status.sent').waitFor();
  await bob.page.getByRole('button', { name: 'Chats' }).click();
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  await log(bob.page).getByText('can you hear me?').waitFor();
  assert.equal(await log(bob.page).getByText('can you hear me?').count(), 1, 'stored once');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('a system notification from the REST API shows as a notice, faces, cards and locations as what they are', async () => {
  const alice = await person(`alice5-${run}`);
  const bob = await person(`bob5-${run}`);
  await rest('openim/sendmsg', {
    To_Account: bob.user, MsgRandom: 77,
    MsgBody: [{ MsgType: 'DuetSystemElem', MsgContent: { Text: 'Maintenance tonight at 2:00', Data: 'maintenance' } }],
  });
  await startChat(alice.page, bob.user);
  await alice.page.getByRole('button', { name: 'Emoji' }).click();
  await alice.page.getByRole('button', { name: 'party' }).click();
  await alice.page.getByRole('button', { name: 'Red packet' }).click();
  await alice.page.getByLabel('Amount').fill('8.88');
  await alice.page.getByLabel('Greeting').fill('Happy new year');
  await alice.page.getByRole('button', { name: 'Send red packet' }).click();
  await alice.page.getByRole('button', { name: 'Location' }).click();
  await alice.page.getByLabel('Place').fill('Café Central');
  await alice.page.getByLabel('Latitude').fill('48.2104');
  await alice.page.getByLabel('Longitude').fill('16.3656');
  await alice.page.getByRole('button', { name: 'Send location' }).click();
  await alice.page.getByRole('button', { name: 'Rock-paper-scissors' }).click();
  await log(alice.page).locator('.status.sent').nth(3).waitFor();

  const admin = nav(bob.page).getByRole('button', { name: /administrator/ });
  await admin.click();
  const notice = log(bob.page).getByRole('note', { name: 'System notice' });
  await notice.getByText('Maintenance tonight at 2:00').waitFor();
  assert.equal(await log(bob.page).locator('.msg.in, .msg.out').count(), 0, 'a notice is not a bubble');

  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  await log(bob.page).getByRole('img', { name: 'party' }).waitFor();
  const packet = log(bob.page).getByRole('group', { name: 'Red packet' });
  await packet.getByText('8.88').waitFor();
  await packet.getByText('Happy new year').waitFor();
  await log(bob.page).getByRole('group', { name: 'Rock-paper-scissors' }).waitFor();
  const map = log(bob.page).getByRole('link', { name: 'Open map' });
  assert.match(await map.getAttribute('href'), /openstreetmap\.org\/\?mlat=48\.2104&mlon=16\.3656/);
  await log(bob.page).getByText('Café Central').waitFor();
  await shot(bob.page, 'types');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('a reload shows the cached history before the server answers', async () => {
  const alice = await person(`alice6-${run}`);
  const peer = `bob6-${run}`;
  await rest('im_open_login_svc/account_import', { UserID: peer });
  await startChat(alice.page, peer);
  await send(alice.page, 'kept on this device');
  await log(alice.page).locator('.status.sent').waitFor();
  // The server never answers this page's WebSocket from now on.
  await alice.page.routeWebSocket(/\/ws$/, () => {});
  await alice.page.reload();
  await log(alice.page).getByText('kept on this device').waitFor();
  await nav(alice.page).getByRole('button', { name: new RegExp(peer) }).waitFor();
  assert.equal(await alice.page.getByRole('button', { name: 'Sign out' }).isVisible(), true);
  assert.deepEqual(alice.errors, []);
  await alice.context.close();
});

test('a message sent while the server is down waits and goes out on reconnect', async () => {
  const alice = await person(`alice7-${run}`);
  const bob = await person(`bob7-${run}`);
  await startChat(alice.page, bob.user);
  await server.pause();
  await alice.page.getByText('Offline — reconnecting').waitFor();
  await send(alice.page, 'sent while offline');
  await log(alice.page).getByText('Waiting for connection').waitFor();
  await server.resume();
  await log(alice.page).locator('.msg.out .status.sent').waitFor({ timeout: 40_000 });
  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click({ timeout: 40_000 });
  await log(bob.page).getByText('sent while offline').waitFor();
  assert.equal(await log(bob.page).getByText('sent while offline').count(), 1);
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('scrolling up loads older pages from history without jumping', async () => {
  const alice = `alice8-${run}`, carol = `carol8-${run}`;
  await rest('im_open_login_svc/multiaccount_import', { Accounts: [alice, carol] });
  for (let i = 1; i <= 45; i++) {
    await rest('openim/sendmsg', {
      From_Account: alice, To_Account: carol, MsgRandom: 1000 + i, SyncOtherMachine: 2,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `history ${i}` } }],
    });
  }
  // Alice never synced these: her device has none cached, so pages come from history.
  const a = await person(alice);
  await startChat(a.page, carol);
  await log(a.page).getByText('history 45').waitFor();
  const l = log(a.page);
  for (let round = 0; round < 5 && !(await l.getByText('This is the beginning').isVisible()); round++) {
    const first = l.locator('.msg').first();
    const firstText = await first.textContent();
    await l.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
    await l.getByText('This is the beginning').or(l.locator('.msg').first().filter({ hasNotText: firstText })).first().waitFor();
    // What was at the top is still in view: the view did not jump to the new top.
    const box = await l.locator('.msg', { hasText: firstText }).boundingBox();
    const view = await l.boundingBox();
    assert.ok(box.y >= view.y - box.height && box.y <= view.y + view.height, 'the old first message stays in view');
  }
  await l.getByText('This is the beginning').waitFor();
  for (const i of [1, 20, 45]) assert.equal(await l.getByText(`history ${i}`, { exact: true }).count(), 1);
  assert.equal(await l.locator('.msg').count(), 45);

  // Reading up there, a new message from carol is announced, not scrolled to.
  const inView = async (text) => {
    const [box, view] = [await l.getByText(text, { exact: true }).boundingBox(), await l.boundingBox()];
    return box.y >= view.y && box.y + box.height <= view.y + view.height;
  };
  await rest('openim/sendmsg', {
    From_Account: carol, To_Account: alice, MsgRandom: 2000,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'are you still there?' } }],
  });
  const newBelow = l.getByRole('button', { name: '↓ New messages' });
  await newBelow.waitFor();
  assert.equal(await inView('are you still there?'), false);
  await shot(a.page, 'new-below');
  await newBelow.click();
  await newBelow.waitFor({ state: 'detached' });
  assert.equal(await inView('are you still there?'), true);
  // Her own message, sent while reading up there, brings the log down to it.
  await l.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
  await send(a.page, 'yes, reading back');
  await a.page.waitForFunction(() => {
    const log = document.querySelector('[role=log]');
    return log.scrollHeight - log.scrollTop - log.clientHeight < 64 && log.textContent.includes('yes, reading back');
  });
  assert.equal(await newBelow.count(), 0);
  assert.deepEqual(a.errors, []);
  await a.context.close();
});

test('a photo and a file sent by one person show as a thumbnail and a file card to the other', async () => {
  const alice = await person(`alice9-${run}`);
  const bob = await person(`bob9-${run}`);
  await startChat(alice.page, bob.user);
  const attach = alice.page.getByLabel('Attach a file');
  await attach.setInputFiles({ name: 'beach.png', mimeType: 'image/png', buffer: png(1200, 800) });
  await log(alice.page).locator('.msg.out .status.sent').waitFor();
  const report = Buffer.alloc(300 * 1024, 'duet report ');
  await attach.setInputFiles({ name: 'Q3 report.pdf', mimeType: 'application/pdf', buffer: report });
  await log(alice.page).locator('.msg.out .status.sent').nth(1).waitFor();
  // A screenshot pasted into the message field, and a file dropped on the composer, as the
  // browser hands them over.
  const handOver = (target, event, name, type, bytes) => target.evaluate((el, { event, name, type, bytes }) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    el.dispatchEvent(event === 'paste'
      ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
      : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, { event, name, type, bytes: [...bytes] });
  await handOver(alice.page.getByLabel('Message', { exact: true }), 'paste', 'screenshot.png', 'image/png', png(300, 200));
  await log(alice.page).locator('.msg.out .status.sent').nth(2).waitFor();
  await handOver(alice.page.locator('.composer'), 'drop', 'notes.txt', 'text/plain', Buffer.from('meeting notes\n'));
  await log(alice.page).locator('.msg.out .status.sent').nth(3).waitFor();
  assert.equal(await alice.page.getByLabel('Message', { exact: true }).inputValue(), '', 'nothing pasted as text');

  await nav(bob.page).getByRole('button', { name: new RegExp(alice.user) }).click();
  const image = log(bob.page).getByRole('img', { name: 'Image, 1200×800' });
  await image.waitFor();
  assert.equal(await image.getAttribute('width'), '198');
  assert.equal(await image.getAttribute('height'), '132');
  await bob.page.waitForFunction(() => [...document.querySelectorAll('.image img')].every((i) => i.complete && i.naturalWidth === 198));
  const full = log(bob.page).getByRole('link', { name: /Image, 1200×800/ });
  assert.match(await full.getAttribute('href'), /\/media\/[0-9a-f]{64}\/beach\.png$/);
  await log(bob.page).getByRole('img', { name: 'Image, 300×200' }).waitFor();
  await log(bob.page).locator('.card.file', { hasText: 'notes.txt' }).waitFor();
  const card = log(bob.page).locator('.card.file', { hasText: 'Q3 report.pdf' });
  await card.getByText('Q3 report.pdf').waitFor();
  await card.getByText('300 KB').waitFor();
  const download = card.getByRole('link', { name: 'Download' });
  const [file] = await Promise.all([bob.page.waitForEvent('download'), download.click()]);
  assert.equal(file.suggestedFilename(), 'Q3 report.pdf');
  await shot(bob.page, 'media');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('a nickname set in the profile reaches the peer; a second tab with the same session takes over', async () => {
  const alice = await person(`alice10-${run}`);
  const bob = await person(`bob10-${run}`);
  await alice.page.getByRole('button', { name: 'Profile' }).click();
  await alice.page.getByLabel('Nickname').fill('Alice Liddell');
  await alice.page.getByRole('button', { name: 'Save profile' }).click();
  await alice.page.getByText('Saved.').waitFor();
  await shot(alice.page, 'profile');
  await alice.page.locator('.top .me').getByText('Alice Liddell').waitFor();
  await alice.page.getByRole('button', { name: 'Chats' }).click();
  await startChat(alice.page, bob.user);
  await send(alice.page, 'now with a name');
  await nav(bob.page).getByRole('button', { name: /Alice Liddell/ }).click();
  await log(bob.page).locator('.msg.in', { hasText: 'now with a name' }).locator('.from').getByText('Alice Liddell').waitFor();

  // A tab opened from this one inherits its session (sessionStorage) and device: the new tab
  // signs in, and the first one is told it was replaced.
  const [second] = await Promise.all([
    alice.context.waitForEvent('page'),
    alice.page.evaluate(() => window.open('/')),
  ]);
  await second.getByRole('button', { name: 'Sign out' }).waitFor();
  await alice.page.getByRole('alert').getByText('You were signed out').waitFor();
  await alice.page.getByRole('button', { name: 'Sign in again' }).click();
  await alice.page.getByLabel('User ID').waitFor();
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('friends-only: strangers are refused in plain words until they become friends', async () => {
  const alice = await person(`alice11-${run}`);
  const bob = await person(`bob11-${run}`);
  await rest('duet/set_app_config', { FriendsOnly: 1 });
  try {
    await startChat(alice.page, bob.user);
    await send(alice.page, 'hello stranger');
    await log(alice.page).getByText(`Not delivered: you and ${bob.user} are not friends`).waitFor();
    await alice.page.getByRole('button', { name: 'Add friend' }).click();
    await alice.page.getByRole('button', { name: 'Friend request sent' }).waitFor();
    // A friend add is a request: until bob accepts it, they are not friends.
    await log(alice.page).getByRole('button', { name: 'Resend' }).click();
    await log(alice.page).getByText(`Not delivered: you and ${bob.user} are not friends`).waitFor();
    // Bob's People tab counts the request until he has seen it, on each of his devices.
    const bobLaptop = await person(bob.user);
    for (const p of [bob.page, bobLaptop.page]) {
      await p.getByRole('button', { name: 'People 1 new friend request' }).waitFor();
    }
    await bob.page.getByRole('button', { name: 'People' }).click();
    await bobLaptop.page.locator('.tabs .badge').waitFor({ state: 'detached' });
    await bob.page.locator('.tabs .badge').waitFor({ state: 'detached' });
    await bobLaptop.context.close();
    await bob.page.getByRole('button', { name: `Accept ${alice.user}` }).click();
    await alice.page.getByRole('button', { name: 'Remove friend' }).waitFor();
    // A remark, edited in place, names the friend in the list and in the chat. Escape leaves
    // it as it was.
    const remark = bob.page.getByRole('textbox', { name: `Remark for ${alice.user}` });
    await bob.page.getByRole('button', { name: `Set a remark for ${alice.user}` }).click();
    await remark.fill('Someone');
    await remark.press('Escape');
    await remark.waitFor({ state: 'detached' });
    await bob.page.getByRole('button', { name: `Set a remark for ${alice.user}` }).click();
    assert.equal(await remark.inputValue(), '');
    await remark.fill('Alice from work');
    await remark.press('Enter');
    await bob.page.getByText(`Alice from work (${alice.user})`).waitFor();
    assert.equal(await bob.page.getByText(`Someone (${alice.user})`).count(), 0);
    await bob.page.getByRole('button', { name: `Chat with ${alice.user}` }).click();
    await bob.page.getByRole('heading', { name: `Alice from work (${alice.user})` }).waitFor();
    await log(alice.page).getByRole('button', { name: 'Resend' }).click();
    await log(alice.page).locator('.msg.out .status.sent').waitFor();
    await log(bob.page).getByText('hello stranger').waitFor();
    // Clearing the history empties bob's chat and keeps it listed; alice keeps her copy.
    const conversations = (page) => page.getByRole('navigation', { name: 'Conversations' });
    // Asked first: "Cancel" keeps it all.
    bob.page.once('dialog', (dialog) => dialog.dismiss());
    await bob.page.getByRole('button', { name: `Clear the history with ${alice.user}` }).click();
    await bob.page.waitForTimeout(300);
    assert.equal(await log(bob.page).getByText('hello stranger').count(), 1);
    bob.page.once('dialog', (dialog) => dialog.accept());
    await bob.page.getByRole('button', { name: `Clear the history with ${alice.user}` }).click();
    await log(bob.page).getByText('hello stranger').waitFor({ state: 'detached' });
    await conversations(bob.page).getByText(alice.user).first().waitFor();
    await log(alice.page).getByText('hello stranger').waitFor();
    // Deleting the chat takes it off bob's list; alice keeps hers.
    bob.page.once('dialog', (dialog) => dialog.accept());
    await bob.page.getByRole('button', { name: `Delete the chat with ${alice.user}` }).click();
    await conversations(bob.page).getByText(alice.user).first().waitFor({ state: 'detached' });
    await conversations(alice.page).getByText(bob.user).waitFor();
  } finally {
    await rest('duet/set_app_config', { FriendsOnly: 0 });
  }
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});

test('an attachment shows its upload progress while it goes up, and can be cancelled and sent again', async () => {
  const alice = await person(`alice12-${run}`);
  const peer = `bob12-${run}`;
  await rest('im_open_login_svc/account_import', { UserID: peer });
  await startChat(alice.page, peer);
  // A slow uplink (256 KB/s) so the upload takes a few seconds.
  const cdp = await alice.context.newCDPSession(alice.page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024,
  });
  const buffer = Buffer.alloc(1024 * 1024, 'slow upload ');
  await alice.page.getByLabel('Attach a file').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer });
  const bar = log(alice.page).getByRole('progressbar', { name: 'Uploading big.bin' });
  await bar.waitFor();
  await alice.page.waitForFunction(() => {
    const p = document.querySelector('.status.uploading progress');
    return p && p.value > 0 && p.value < 100;
  });
  await shot(alice.page, 'uploading');
  // Cancelled: it stops, says so, and can be sent again.
  await log(alice.page).locator('.status.uploading').getByRole('button', { name: 'Cancel' }).click();
  const stopped = log(alice.page).locator('.msg.out .status.failed');
  await stopped.getByText('Upload cancelled: not sent.').waitFor();
  assert.equal(await bar.count(), 0);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  await stopped.getByRole('button', { name: 'Resend' }).click();
  await log(alice.page).locator('.msg.out .status.sent').waitFor({ timeout: 30_000 });
  assert.equal(await log(alice.page).locator('.msg.out').count(), 1, 'sent again, not twice');
  assert.equal(await bar.count(), 0, 'the bar goes when the upload is done');
  await log(alice.page).locator('.card.file').getByText('big.bin').waitFor();
  assert.deepEqual(alice.errors, []);
  await alice.context.close();
});

test('in a background tab a message shows a notification, a click on it opens the chat, and it is read once the tab shows', async () => {
  const lee = `lee-bg-${run}`;
  await rest('im_open_login_svc/account_import', { UserID: lee, Nick: 'Lee' });
  // Headless Chromium never puts a page in the background: the page is told it is hidden
  // while `window.hide` says so, and of each change, as a browser tells a tab behind another.
  const kim = await person(`kim-bg-${run}`, {
    init: () => Object.defineProperty(Document.prototype, 'hidden', { get: () => window.hide === true }),
  });
  const hide = (hidden) => kim.page.evaluate((hidden) => {
    window.hide = hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await kim.context.grantPermissions(['notifications'], { origin: server.base });
  // As "Enable notifications" registers it (the push subscription itself needs a push
  // service this machine cannot reach).
  await kim.page.evaluate(async () => { await navigator.serviceWorker.register('/sw.js'); await navigator.serviceWorker.ready; });
  const shown = () => kim.page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
  });
  const send = (text, random) => rest('openim/sendmsg', {
    From_Account: lee, To_Account: kim.user, MsgRandom: random, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
  });
  // What the server counts unread for kim from lee: what kim's devices marked read.
  const unread = async () => (await rest('openim/get_c2c_unread_msg_num', { To_Account: kim.user, Peer_Account: [lee] }))
    .C2CUnreadMsgNumList[0].C2CUnreadMsgNum;
  const entry = nav(kim.page).getByRole('button', { name: new RegExp(lee) });

  // In front: the page shows it, and no notification.
  await send('are you there?', 1);
  await entry.getByText('are you there?').waitFor();
  assert.deepEqual(await shown(), []);
  // Behind another tab: one notification for the chat, the newest message replacing the older.
  await hide(true);
  await send('I am outside', 2);
  await send('the door is locked', 3);
  await entry.getByText('the door is locked').waitFor();
  await kim.page.waitForFunction(async () => {
    const list = await (await navigator.serviceWorker.ready).getNotifications();
    return list.length === 1 && list[0].body === 'the door is locked';
  });
  assert.deepEqual(await shown(), [{ title: 'Lee', body: 'the door is locked', tag: `C2C${lee}` }]);

  // Clicked: the worker's own handler runs (on a click made here, as no desktop can click
  // it), and the open page shows the chat.
  const [worker] = kim.context.serviceWorkers();
  await worker.evaluate(async () => {
    const [notification] = await self.registration.getNotifications();
    try {
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
    } catch {
      // waitUntil refuses an event made by a script; the handler's work has begun.
    }
  });
  await log(kim.page).getByText('the door is locked').waitFor();
  // Open but not in sight (this page is still told it is hidden): nothing is marked read.
  await kim.page.waitForTimeout(500);
  assert.equal(await unread(), 3);
  await hide(false);
  for (let i = 0; i < 100 && (await unread()) !== 0; i++) await kim.page.waitForTimeout(50);
  assert.equal(await unread(), 0, 'read once the tab shows');
  assert.deepEqual(kim.errors, []);
  await kim.context.close();
});

test('notifications: the service worker shows a pushed message and the profile panel offers them', async () => {
  const kim = await person(`kim-${run}`);
  await kim.context.grantPermissions(['notifications'], { origin: server.base });
  await kim.page.getByRole('button', { name: 'Profile' }).click();
  await kim.page.getByRole('button', { name: 'Enable notifications' }).click();
  // This machine reaches no browser push service: the attempt ends in a plain-words answer.
  const answer = kim.page.locator('.profile [role=alert], .profile [role=status]').last();
  await answer.waitFor({ timeout: 20_000 });
  assert.match(await answer.innerText(), /Notifications are on|push service|Push is not available|not available/);

  // A push as the server sends it, delivered to the service worker through DevTools.
  const cdp = await kim.context.newCDPSession(kim.page);
  const registered = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const r = registrations.find((x) => x.scopeURL.startsWith(server.base) && !x.isDeleted);
    if (r) resolve(r.registrationId);
  }));
  await cdp.send('ServiceWorker.enable');
  await kim.page.evaluate(async () => { await navigator.serviceWorker.register('/sw.js'); await navigator.serviceWorker.ready; });
  const registrationId = await registered;
  const note = { title: 'Lee', body: 'see you at 8', badge: 1, conversationID: 'C2Clee', ID: 'lee-1-2', ext: '' };
  const notifications = () => kim.page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    for (let i = 0; i < 10; i++) {
      const list = await reg.getNotifications();
      if (list.length) return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  });
  // A push that reaches a worker still starting up is dropped, as a browser's would be: the
  // push service delivers again until one is shown.
  let shown = [];
  for (let attempt = 0; attempt < 20 && shown.length === 0; attempt++) {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.base, registrationId, data: JSON.stringify(note) });
    shown = await notifications();
  }
  assert.deepEqual(shown, [{ title: 'Lee', body: 'see you at 8', tag: 'C2Clee' }]);
  // Headless Chromium has no desktop to show it on: the notification the worker showed, as
  // the browser reports it, is drawn over the page for the README's screenshot.
  await kim.page.reload();
  await ready(kim.page);
  await kim.page.evaluate(({ n, origin }) => {
    const card = document.createElement('div');
    card.setAttribute('aria-hidden', 'true');
    card.style.cssText = 'position:fixed;top:64px;right:16px;width:360px;padding:14px 16px;'
      + 'background:#fff;color:#202124;border-radius:10px;box-shadow:0 4px 18px rgba(0,0,0,.28);'
      + 'font:14px system-ui,sans-serif;z-index:99999';
    const line = (text, css) => {
      const el = document.createElement('div');
      el.textContent = text;
      el.style.cssText = css;
      card.append(el);
    };
    line(`Chromium · ${new URL(origin).host}`, 'font-size:12px;color:#5f6368;margin-bottom:6px');
    line(n.title, 'font-weight:600;margin-bottom:2px');
    line(n.body, '');
    document.body.append(card);
  }, { n: shown[0], origin: server.base });
  await shot(kim.page, 'notification');
  assert.deepEqual(kim.errors, []);
  await kim.context.close();
});
