// The built npm package (sdk-wasm/pkg) used as an app would use it: a plain page imports
// `index.js`, in headless Chromium, against a real duet-server. UserSigs are signed here with
// Tencent's own Node signer, as an app backend would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import ts from 'typescript';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../support/server.mjs';
import { launchChromium, serveDir, servePackage } from '../support/browser.mjs';

const SDKAPPID = 1400023456;
const SECRET = 'browser-package-key';
const signer = new TLSSigAPIv2.Api(SDKAPPID, SECRET);
const run = Date.now() % 1e9;

let server, wsUrl, pages, browser, page;


before(async () => {
  server = await startServer({ sdkAppId: SDKAPPID, secret: SECRET });
  wsUrl = server.ws;
  pages = await servePackage('<!doctype html><title>duet-chat test</title>');
  browser = await launchChromium();
  page = await browser.newPage();
  await page.addInitScript(pageHelpers);
  await page.goto(pages.url);
});

/** In every load of a test page: a signed-in, synced instance of the package. */
function pageHelpers() {
  window.signIn = async (SDKAppID, server, userID, userSig) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID, server });
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    await chat.login({ userID, userSig });
    await ready;
    return chat;
  };
  // Signs each of `users` ([userID, userSig]) in, in turn, each on an instance of its own.
  window.signInAll = async (SDKAppID, server, users) => {
    const chats = [];
    for (const [userID, userSig] of users) chats.push(await window.signIn(SDKAppID, server, userID, userSig));
    return chats;
  };
  // Waits (up to 5 s) until `check` resolves true; throws, naming it, when it never does.
  window.until = async (check) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`still not so after 5 s: ${check}`);
  };
  // As another tab would delete a user's cache; resolves once the SDK's open connection to
  // it has given way.
  window.deleteCache = (SDKAppID, userID) => new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(`duet-${SDKAppID}-${userID}`);
    request.onsuccess = resolve;
    request.onerror = () => reject(request.error);
  });
}

/** A page in a browser context of its own: another device, with its own IndexedDB. */
async function newDevice() {
  const context = await browser.newContext();
  const device = await context.newPage();
  await device.addInitScript(pageHelpers);
  await device.goto(pages.url);
  return { page: device, close: () => context.close() };
}

after(async () => {
  await browser?.close();
  pages?.close();
  await server?.stop();
});

const sig = (user) => signer.genUserSig(user, 3600);

test('two users chat live through the package', async () => {
  const alice = `alice-${run}`, bob = `bob-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const ready = (chat) => new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    const a = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const b = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const bReady = ready(b);
    await b.login({ userID: bob, userSig: bobSig });
    await bReady;
    const aReady = ready(a);
    await a.login({ userID: alice, userSig: aliceSig });
    await aReady;
    const received = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => r(data)));
    // `off` removes that listener of that event only.
    const heard = [];
    const removed = () => heard.push('removed');
    const kept = ({ name }) => heard.push(name);
    b.on(DuetChat.EVENT.MESSAGE_RECEIVED, removed);
    b.on(DuetChat.EVENT.MESSAGE_RECEIVED, kept);
    b.off(DuetChat.EVENT.MESSAGE_RECEIVED, removed);
    b.off(DuetChat.EVENT.MESSAGE_REVOKED, kept);
    const msg = a.createTextMessage({ to: bob, payload: { text: 'hello from the package' } });
    const created = { ...msg };
    const sent = await a.sendMessage(msg);
    // Message objects are live (updated in place, as in Tencent's SDK): what is checked
    // below is each as it was then.
    const data = structuredClone(await received);
    const list = await b.getMessageList({ conversationID: `C2C${alice}` });
    const convs = await b.getConversationList();
    const readByPeer = new Promise((r) => a.on(DuetChat.EVENT.MESSAGE_READ_BY_PEER, ({ data }) => r(data)));
    await b.setMessageRead({ conversationID: `C2C${alice}` });
    const receipt = await readByPeer;
    const mine = await a.getMessageList({ conversationID: `C2C${bob}` });
    const inPlace = { same: sent.data.message === msg, id: msg.ID, sequence: msg.sequence };
    const revoked = await a.revokeMessage(msg).then((r) => ({ code: r.code, same: r.data.message === msg, isRevoked: msg.isRevoked }));
    await a.logout();
    await b.logout();
    return { created, after: msg.status, sent, data, list, convs, receipt, mine, inPlace, revoked, heard, isReady: a.isReady(), events: DuetChat.EVENT, types: DuetChat.TYPES };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });

  assert.deepEqual(got.heard, ['onMessageReceived'], 'the listener taken off is not called; the other is, once');

  assert.equal(got.created.status, 'unSend');
  assert.equal(got.inPlace.same, true, 'sendMessage resolves with the app\'s own object');
  assert.equal(got.inPlace.id, got.created.ID, 'the message keeps the ID it was created with');
  assert.ok(got.inPlace.sequence > 0 && got.inPlace.id === got.sent.data.message.ID);
  assert.equal(got.created.ID, `${alice}-${got.created.clientTime}-${got.created.random}`);
  assert.deepEqual(got.revoked, { code: 0, same: true, isRevoked: true }, 'revokeMessage works on the object the app created');
  assert.equal(got.after, 'success', "the app's message object is updated");
  assert.equal(got.sent.code, 0);
  assert.equal(got.sent.data.message.status, 'success');
  assert.equal(got.sent.data.message.flow, 'out');
  assert.equal(got.data.length, 1);
  const m = got.data[0];
  assert.equal(m.type, got.types.MSG_TEXT);
  assert.deepEqual(m.payload, { text: 'hello from the package' });
  assert.equal(m.flow, 'in');
  assert.equal(m.from, alice);
  assert.equal(m.conversationID, `C2C${alice}`);
  assert.equal(m.ID, got.sent.data.message.ID);
  assert.equal(got.list.data.messageList.length, 1);
  assert.equal(got.list.data.isCompleted, true);
  assert.equal(got.convs.data.conversationList[0].unreadCount, 1);
  assert.equal(got.convs.data.isSyncCompleted, true, 'after SDK_READY the conversation list is synced');
  assert.equal(got.events.MESSAGE_RECEIVED, 'onMessageReceived');
  assert.equal(got.receipt.length, 1, 'MESSAGE_READ_BY_PEER carries the messages read');
  assert.equal(got.receipt[0].ID, got.sent.data.message.ID);
  assert.equal(got.receipt[0].isPeerRead, true);
  assert.equal(got.receipt[0].flow, 'out');
  assert.equal(got.receipt[0].conversationID, `C2C${bob}`);
  assert.equal(got.mine.data.messageList[0].isPeerRead, true);
  assert.equal(got.isReady, false);
});

test('a message is one object: lists, events and findMessage give the object the app holds, updated in place', async () => {
  const alice = `one-a-${run}`, bob = `one-b-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, users }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const E = DuetChat.EVENT;
    const [a, b] = await window.signInAll(SDKAPPID, wsUrl, users);
    const [alice, bob] = users.map(([id]) => id);
    const next = (chat, name) => new Promise((r) => chat.once ? chat.once(name, r) : chat.on(name, function f(e) { chat.off(name, f); r(e.data); }));
    const received = next(b, E.MESSAGE_RECEIVED);
    const msg = a.createTextMessage({ to: bob, conversationType: DuetChat.TYPES.CONV_C2C, payload: { text: 'first words' } });
    await a.sendMessage(msg);
    const [theirs] = await received;
    const bobsList = (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList;
    const before = { listed: bobsList[0] === theirs, found: b.findMessage(theirs.ID) === theirs, isRead: theirs.isRead };
    // Tencent's fields for what a one-to-one message never has, at their values for none.
    const tencentFields = ({ priority, nameCard, atUserList, isBroadcastMessage, isSupportExtension, hasRiskContent, revokeReason, isDeleted, revoker, revokerInfo }) =>
      ({ priority, nameCard, atUserList, isBroadcastMessage, isSupportExtension, hasRiskContent, revokeReason, isDeleted, revoker, revokerInfo });
    before.fields = structuredClone(tencentFields(theirs));
    const readByPeer = next(a, E.MESSAGE_READ_BY_PEER);
    await b.setMessageRead({ conversationID: `C2C${alice}` });
    const afterRead = { isRead: theirs.isRead };
    const [readMine] = await readByPeer;
    const mine = { event: readMine === msg, isPeerRead: msg.isPeerRead, listed: (await a.getMessageList({ conversationID: `C2C${bob}` })).data.messageList[0] === msg };
    const modified = next(b, E.MESSAGE_MODIFIED);
    msg.payload.text = 'better words';
    await a.modifyMessage(msg);
    const [edited] = await modified;
    const edit = { event: edited === theirs, text: theirs.payload.text, isModified: theirs.isModified };
    const revoked = next(b, E.MESSAGE_REVOKED);
    await a.revokeMessage(msg);
    const [gone] = await revoked;
    const recall = { event: gone === theirs, isRevoked: theirs.isRevoked, revoker: theirs.revoker, revokerInfo: theirs.revokerInfo.userID, mine: msg.revoker };
    // Refusals carry the message in `data.message`, as Tencent's do.
    recall.again = await a.revokeMessage(msg).then(() => 0, (e) => [e.code, e.data?.message === msg]);
    msg.payload.text = 'too late';
    recall.edit = await a.modifyMessage(msg).then(() => 0, (e) => [typeof e.code, e.data?.message === msg]);
    // A new sign-in starts with no objects held: those of before are not given out again.
    await b.logout();
    const ready = new Promise((r) => b.on(E.SDK_READY, r));
    await b.login({ userID: bob, userSig: users[1][1] });
    await ready;
    const again = (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList[0];
    const fresh = { same: again === theirs, ID: again.ID === theirs.ID, isRevoked: again.isRevoked };
    // An object the app froze (as a Redux store does) gives way to a new one.
    Object.freeze(again);
    await b.setMessageRead({ conversationID: `C2C${alice}` });
    const thawed = (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList[0];
    fresh.frozen = { replaced: thawed !== again, ID: thawed.ID === again.ID, found: b.findMessage(again.ID) === thawed };
    // A message object the app froze before sending (a Redux store freezes what it keeps):
    // the send answers with the message as sent, in a new object, and that one is held.
    const frozen = Object.freeze(a.createTextMessage({ to: bob, payload: { text: 'frozen' } }));
    const sentFrozen = (await Promise.race([a.sendMessage(frozen), new Promise((r) => setTimeout(() => r(null), 5000))]))?.data.message;
    fresh.sentFrozen = sentFrozen && {
      replaced: sentFrozen !== frozen, ID: sentFrozen.ID === frozen.ID, status: sentFrozen.status,
      found: a.findMessage(frozen.ID) === sentFrozen, stillUnsent: frozen.status,
    };
    await a.logout();
    await b.logout();
    return { before, afterRead, mine, edit, recall, fresh };
  }, { wsUrl, SDKAPPID, users: [[alice, sig(alice)], [bob, sig(bob)]] });
  assert.deepEqual(got.before, {
    listed: true, found: true, isRead: false,
    fields: {
      priority: 'Normal', nameCard: '', atUserList: [], isBroadcastMessage: false, isSupportExtension: false,
      hasRiskContent: false, revokeReason: '', isDeleted: false, revoker: '', revokerInfo: { userID: '', nick: '', avatar: '' },
    },
  }, 'getMessageList and findMessage give the object MESSAGE_RECEIVED gave');
  assert.deepEqual(got.afterRead, { isRead: true }, 'setMessageRead marks the objects the app holds read');
  assert.deepEqual(got.mine, { event: true, isPeerRead: true, listed: true }, "MESSAGE_READ_BY_PEER carries the sender's own object, now isPeerRead");
  assert.deepEqual(got.edit, { event: true, text: 'better words', isModified: true }, 'MESSAGE_MODIFIED updates the receiver\'s object');
  assert.deepEqual(got.recall, { event: true, isRevoked: true, revoker: alice, revokerInfo: alice, mine: alice, again: [20023, true], edit: ['number', true] },
    'MESSAGE_REVOKED updates the receiver\'s object; refusals carry the message');
  assert.deepEqual(got.fresh, {
    same: false, ID: true, isRevoked: true, frozen: { replaced: true, ID: true, found: true },
    sentFrozen: { replaced: true, ID: true, status: 'success', found: true, stillUnsent: 'unSend' },
  },
    'after signing in again the objects are new; a frozen one is replaced, not written to');
});

test('getConversationProfile opens a conversation with someone new, as Tencent\'s does; 2501 for no such user', async () => {
  const alice = `conv-a-${run}`, bob = `conv-b-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, users }) => {
    const [a, b] = await window.signInAll(SDKAPPID, wsUrl, users);
    const [alice, bob] = users.map(([id]) => id);
    await b.updateMyProfile({ nick: 'Bob B.' });
    const fresh = (await a.getConversationProfile(`C2C${bob}`)).data.conversation;
    const [profile] = (await a.getUserProfile({ userIDList: [bob] })).data;
    const listedBefore = (await a.getConversationList()).data.conversationList.length;
    const nobody = await a.getConversationProfile(`C2Cnobody-${alice}`).then(() => 0, (e) => e.code);
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'hi' } }));
    const listed = (await a.getConversationProfile(`C2C${bob}`)).data.conversation;
    await a.logout();
    await b.logout();
    return {
      fresh: { id: fresh.conversationID, type: fresh.type, unread: fresh.unreadCount, last: fresh.lastMessage, nick: fresh.userProfile.nick, userID: fresh.userProfile.userID },
      listedBefore, nobody, listedLast: listed.lastMessage.payload.text,
      // Tencent's `userProfile` is a whole `Profile`: the same fields as `getUserProfile`'s.
      profileFields: [Object.keys(fresh.userProfile).sort(), Object.keys(profile).sort()],
      signature: fresh.userProfile.selfSignature,
    };
  }, { wsUrl, SDKAPPID, users: [[alice, sig(alice)], [bob, sig(bob)]] });
  assert.deepEqual(got.fresh, { id: `C2C${bob}`, type: 'C2C', unread: 0, last: null, nick: 'Bob B.', userID: bob });
  assert.equal(got.listedBefore, 0, 'it joins the list with its first message');
  assert.equal(got.nobody, 2501);
  assert.equal(got.listedLast, 'hi');
  assert.deepEqual(got.profileFields[0], got.profileFields[1]);
  assert.equal(got.signature, '');
});

test("Tencent's quick start runs as its documentation writes it", async () => {
  const alice = `alice-qs-${run}`, bob = `bob-qs-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: TencentCloudChat } = await import('/pkg/index.js');
    const TIMUploadPlugin = function TIMUploadPlugin() {};
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const heard = new Promise((r) => b.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, ({ data }) => r(data.map((m) => m.payload.text))));
    // A class-style listener, called with the context given.
    const app = {
      texts: [],
      onMessageReceived(event) {
        this.texts.push(...event.data.filter((m) => m.type === TencentCloudChat.TYPES.MSG_TEXT).map((m) => m.payload.text));
      },
    };
    b.on(TencentCloudChat.EVENT.MESSAGE_RECEIVED, app.onMessageReceived, app);

    // From Tencent's "Initialize" and "Messages" sections, only the server's address added.
    let options = { SDKAppID: SDKAPPID, proxyServer: wsUrl };
    let chat = TencentCloudChat.create(options);
    chat.setLogLevel(0);
    chat.registerPlugin({ 'tim-upload-plugin': TIMUploadPlugin });
    // Tencent's samples listen to group events too, which are `undefined` here: a warning.
    const warned = [];
    const consoleWarn = console.warn;
    console.warn = (...args) => warned.push(args.join(' '));
    chat.on(TencentCloudChat.EVENT.GROUP_LIST_UPDATED, () => {});
    chat.on(TencentCloudChat.EVENT.SDK_READY, 'not a function');
    console.warn = consoleWarn;
    const instance = typeof chat.on === 'function' && !('then' in chat);
    const userBefore = chat.getLoginUser();
    const profileBefore = await chat.getMyProfile().then(() => 'resolved', (e) => e.code);
    const ready = new Promise((r) => chat.on(TencentCloudChat.EVENT.SDK_READY, r));
    await chat.login({ userID: alice, userSig: aliceSig });
    await ready;
    let message = chat.createTextMessage({
      to: bob,
      conversationType: TencentCloudChat.TYPES.CONV_C2C,
      // Tencent's samples leave this out; with it, a one-to-one message is as without.
      priority: TencentCloudChat.TYPES.MSG_PRIORITY_HIGH,
      payload: { text: 'Hello World!' },
    });
    await chat.sendMessage(message);
    const priority = message.priority;
    // The conversation list as Tencent's reads it: the last message's preview and time.
    const lastOf = async () => {
      const { lastMessage } = (await chat.getConversationList()).data.conversationList[0];
      return { show: lastMessage.messageForShow, time: lastMessage.lastTime, seq: lastMessage.lastSequence, from: lastMessage.fromAccount };
    };
    const lastText = await lastOf();
    await chat.sendMessage(chat.createCustomMessage({ to: bob, payload: { data: '4', description: 'a dice roll', extension: '' } }));
    const lastCustom = await lastOf();

    await chat.updateMyProfile({ nick: 'Alice Q' });
    const mine = (await chat.getMyProfile()).data;
    const user = chat.getLoginUser();
    const thrown = (f) => { try { f(); return null; } catch (e) { return e.code; } };
    const badLevels = [5, -1, 1.5, '0', undefined].map((l) => thrown(() => chat.setLogLevel(l)));
    // A group message, as Tencent's samples make one, to a group whose ID is also a user's.
    const toGroup = [TencentCloudChat.TYPES.CONV_GROUP, TencentCloudChat.TYPES.CONV_SYSTEM, 'c2c'].map((conversationType) =>
      thrown(() => chat.createTextMessage({ to: bob, conversationType, payload: { text: 'to a group' } })));
    // As Tencent's: the same instance for the same SDKAppID, signed in, until destroy().
    const awaited = await TencentCloudChat.create({ SDKAppID: SDKAPPID, server: wsUrl });
    const result = {
      instance, userBefore, profileBefore, heard: await heard, mine, user, badLevels, warned,
      withContext: app.texts, toGroup, lastText, lastCustom, sent: { time: message.time, seq: message.sequence },
      awaited: [typeof awaited.login, awaited === chat, awaited.getLoginUser()], priority,
    };
    await chat.logout();
    await b.logout();
    result.userAfter = chat.getLoginUser();
    result.sameAfterLogout = TencentCloudChat.create(options) === chat;
    await chat.destroy();
    const fresh = TencentCloudChat.create(options);
    result.newAfterDestroy = fresh !== chat;
    await fresh.destroy();
    return result;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.equal(got.instance, true, 'create returns the instance, not a promise of it');
  assert.deepEqual(got.awaited, ['function', true, alice], 'awaiting create still gives the instance: the same one, signed in');
  assert.deepEqual([got.sameAfterLogout, got.newAfterDestroy], [true, true], 'create gives a new instance only after destroy()');
  assert.equal(got.userBefore, '');
  assert.equal(got.profileBefore, 61004, 'getMyProfile before login fails with the state code');
  assert.deepEqual(got.heard, ['Hello World!']);
  assert.equal(got.priority, 'Normal', "a one-to-one message keeps no priority, as in Tencent's SDK");
  assert.deepEqual(got.withContext, ['Hello World!'], "a listener is called with on()'s context as this");
  assert.deepEqual(got.toGroup, [60006, 60006, 60006], 'a group or system message is refused, not sent to the user of that ID');
  assert.equal(got.warned.length, 2, `a warning for each listener that can never be called: ${got.warned}`);
  assert.match(got.warned[0], /^duet-chat: on\(\) was given no event name/);
  assert.deepEqual(got.lastText, { show: 'Hello World!', time: got.sent.time, seq: got.sent.seq, from: alice });
  assert.equal(got.lastCustom.show, 'a dice roll');
  assert.ok(got.lastCustom.seq > got.sent.seq);
  assert.equal(got.user, alice);
  assert.equal(got.mine.userID, alice);
  assert.equal(got.mine.nick, 'Alice Q');
  assert.deepEqual(got.badLevels, [60006, 60006, 60006, 60006, 60006]);
  assert.equal(got.userAfter, '');
});

test("login twice, as Tencent's: 2025 while the first is under way, then { repeatLogin: true }; another user is refused; destroy", async () => {
  const ines = `ines-${run}`, jon = `jon-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, ines, jon, inesSig, jonSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const outcome = (p) => p.then((r) => ({ code: r.code, data: r.data }), (e) => ({ error: e.code }));
    // As a React view in strict mode starts it: twice at once.
    const [first, second] = await Promise.all([
      outcome(chat.login({ userID: ines, userSig: inesSig })),
      outcome(chat.login({ userID: ines, userSig: inesSig })),
    ]);
    const again = await outcome(chat.login({ userID: ines, userSig: inesSig }));
    const other = await outcome(chat.login({ userID: jon, userSig: jonSig }));
    const user = chat.getLoginUser();
    await chat.logout();
    const afterLogout = await outcome(chat.login({ userID: jon, userSig: jonSig }));
    const then = chat.getLoginUser();
    await new Promise((r) => chat.isReady() ? r() : chat.on(DuetChat.EVENT.SDK_READY, r));
    // destroy(): signed out (SDK_NOT_READY), then SDK_DESTROY, then no listener is left.
    const ending = [];
    chat.on(DuetChat.EVENT.SDK_NOT_READY, () => ending.push('SDK_NOT_READY'));
    chat.on(DuetChat.EVENT.SDK_DESTROY, ({ data }) => ending.push(data));
    await chat.destroy();
    chat.on(DuetChat.EVENT.SDK_READY, () => ending.push('a listener added after destroy'));
    await outcome(chat.login({ userID: jon, userSig: jonSig }));
    await new Promise((r) => setTimeout(r, 1000));
    await chat.logout();
    return { first, second, again, other, user, afterLogout, then, ending };
  }, { wsUrl, SDKAPPID, ines, jon, inesSig: sig(ines), jonSig: sig(jon) });
  assert.deepEqual(got, {
    first: { code: 0, data: {} },
    second: { error: 2025 },
    again: { code: 0, data: { repeatLogin: true } },
    other: { error: 61004 },
    user: ines,
    afterLogout: { code: 0, data: {} },
    then: jon,
    ending: ['SDK_NOT_READY', { SDKAppID: SDKAPPID }, 'a listener added after destroy'],
  });
});

test("a muted conversation keeps its unread count out of the total, as Tencent's", async () => {
  const kim = `kim-${run}`, lee = `lee-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, users }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const [k, l] = await window.signInAll(SDKAPPID, wsUrl, users);
    const [kim, lee] = users.map(([id]) => id);
    const conversation = async () => (await l.getConversationList()).data.conversationList.find((c) => c.conversationID === `C2C${kim}`);
    const totals = [];
    l.on(DuetChat.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, ({ data }) => totals.push(data));
    await k.sendMessage(k.createTextMessage({ to: lee, payload: { text: 'one' } }));
    // The total follows the conversation list's event, a moment after the list is stored.
    await window.until(async () => (await conversation())?.unreadCount === 1
      && l.getTotalUnreadMessageCount() > 0);
    const before = l.getTotalUnreadMessageCount();
    await l.setMessageRemindType({ userIDList: [kim], messageRemindType: DuetChat.TYPES.MSG_REMIND_ACPT_NOT_NOTE });
    await window.until(async () => l.getTotalUnreadMessageCount() === 0);
    await k.sendMessage(k.createTextMessage({ to: lee, payload: { text: 'two' } }));
    await window.until(async () => (await conversation())?.unreadCount === 2);
    const muted = [(await conversation()).unreadCount, l.getTotalUnreadMessageCount()];
    await l.setMessageRemindType({ userIDList: [kim], messageRemindType: DuetChat.TYPES.MSG_REMIND_ACPT_AND_NOTE });
    await window.until(async () => l.getTotalUnreadMessageCount() === 2);
    const unmuted = l.getTotalUnreadMessageCount();
    await k.logout();
    await l.logout();
    return { before, muted, unmuted, totals };
  }, { wsUrl, SDKAPPID, users: [[kim, sig(kim)], [lee, sig(lee)]] });
  assert.deepEqual(got, { before: 1, muted: [2, 0], unmuted: 2, totals: [1, 0, 2] },
    'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED tells each change once, as Tencent\'s');
});

test('setAllMessageRead reads every conversation, here and on the other devices', async () => {
  const alice = `alice-all-${run}`, bob = `bob-all-${run}`, carol = `carol-all-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const other = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const c = await window.signIn(SDKAPPID, wsUrl, carol, carolSig);
    const unread = async (chat) => (await chat.getConversationList()).data.conversationList
      .map((conv) => conv.unreadCount).reduce((x, y) => x + y, 0);
    // The message objects each of alice's devices gave its app.
    const heard = (chat) => {
      const held = [];
      const all = new Promise((r) => chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => {
        held.push(...data);
        if (held.length === 3) r(held);
      }));
      return all;
    };
    const arrived = heard(a), otherArrived = heard(other);
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'one' } }));
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'two' } }));
    await c.sendMessage(c.createTextMessage({ to: alice, payload: { text: 'three' } }));
    await arrived;
    const othersHeld = await otherArrived;
    const heldBefore = othersHeld.map((m) => m.isRead);
    const before = await unread(a);
    const groupsOnly = await a.setAllMessageRead({ scope: DuetChat.TYPES.READ_ALL_GROUP_MSG });
    const afterGroups = await unread(a);
    const badScope = await a.setAllMessageRead({ scope: 'everything' }).then(() => null, (e) => e.code);
    const otherRead = new Promise((r) => other.on(DuetChat.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, ({ data }) => { if (data === 0) r(); }));
    const done = await a.setAllMessageRead();
    await otherRead;
    const result = {
      before, groupsOnly: groupsOnly.code, afterGroups, badScope, done: done.code,
      after: await unread(a), total: a.getTotalUnreadMessageCount(), otherAfter: await unread(other),
      heldBefore, heldAfter: othersHeld.map((m) => m.isRead),
    };
    for (const chat of [a, other, b, c]) await chat.logout();
    return result;
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  assert.equal(got.before, 3);
  assert.equal(got.groupsOnly, 0);
  assert.equal(got.afterGroups, 3, 'READ_ALL_GROUP_MSG leaves one-to-one conversations unread');
  assert.equal(got.badScope, 60006);
  assert.equal(got.done, 0);
  assert.equal(got.after, 0);
  assert.equal(got.total, 0);
  assert.equal(got.otherAfter, 0, 'the other device of the user reads them too');
  assert.deepEqual(got.heldBefore, [false, false, false]);
  assert.deepEqual(got.heldAfter, [true, true, true], "the other device's message objects are marked read in place, as Tencent's are");
});

test('setLogLevel(4) keeps the SDK off the console; 0 to 3 let its errors through', async () => {
  const alice = `alice-log-${run}`, bob = `bob-log-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const logged = [];
    const consoleError = console.error;
    console.error = (...args) => {
      if (String(args[0]).startsWith('duet-chat:')) logged.push(String(args[0]));
      else consoleError(...args);
    };
    try {
      const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
      const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
      // An online-only message is stored nowhere, so bob hears it even with no cache; frames
      // are handled in order, so once he does, the stored message before it was handled too.
      const heard = (text) => new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => {
        if (data.some((m) => m.payload.text === text)) r();
      }));
      const sendThenBarrier = async (text, barrier) => {
        const seen = heard(barrier);
        await a.sendMessage(a.createTextMessage({ to: bob, payload: { text } }));
        await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: barrier } }), { onlineUserOnly: true });
        await seen;
      };
      // Every message bob is sent now fails to be stored: another tab deleted his cache.
      await window.deleteCache(SDKAPPID, bob);
      b.setLogLevel(4);
      await sendThenBarrier('one', 'barrier-1');
      const silenced = logged.length;
      b.setLogLevel(3);
      await sendThenBarrier('two', 'barrier-2');
      const shown = [...logged];
      await b.logout();
      await a.logout();
      return { silenced, shown };
    } finally {
      console.error = consoleError;
      new Chat({ SDKAppID: SDKAPPID, server: wsUrl }).setLogLevel(0);
    }
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.equal(got.silenced, 0, `nothing written at level 4: ${JSON.stringify(got.shown)}`);
  assert.ok(got.shown.length >= 1, 'the fault is written at level 3');
  assert.match(got.shown[0], /^duet-chat: .*reload the page/);
});

test('offline messages arrive before SDK_READY, in order, and history pages back', async () => {
  const alice = `alice2-${run}`, bob = `bob2-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (user, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const log = [];
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, () => { log.push('ready'); r(); }));
      chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => log.push(...data.map((m) => m.payload.text)));
      await chat.login({ userID: user, userSig });
      await ready;
      return { chat, log };
    };
    const b1 = await open(bob, bobSig);
    await b1.chat.logout();
    const a = await open(alice, aliceSig);
    for (let i = 0; i < 25; i++) {
      await a.chat.sendMessage(a.chat.createTextMessage({ to: bob, payload: { text: `m${i}` } }));
    }
    const b = await open(bob, bobSig);
    const first = await b.chat.getMessageList({ conversationID: `C2C${alice}`, count: 10 });
    const second = await b.chat.getMessageList({ conversationID: `C2C${alice}`, count: 10, nextReqMessageID: first.data.nextReqMessageID });
    const unknown = await a.chat.sendMessage(a.chat.createTextMessage({ to: `nobody-${bob}`, payload: { text: 'x' } }))
      .then(() => null, (e) => ({ code: e.code, message: e.message }));
    await a.chat.logout();
    await b.chat.logout();
    const badLogin = await (new Chat({ SDKAppID: SDKAPPID, server: wsUrl }))
      .login({ userID: bob, userSig: 'not-a-usersig' })
      .then(() => null, (e) => e.code);
    return {
      log: b.log,
      first: first.data.messageList.map((m) => m.payload.text),
      second: second.data.messageList.map((m) => m.payload.text),
      unknown,
      badLogin,
    };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });

  const expected = Array.from({ length: 25 }, (_, i) => `m${i}`);
  assert.deepEqual(got.log, [...expected, 'ready']);
  assert.deepEqual(got.first, expected.slice(15));
  assert.deepEqual(got.second, expected.slice(5, 15));
  assert.equal(got.unknown.code, 20003);
  assert.equal(got.badLogin, 70003);
});

test('recall, blacklist, friends, profiles and unread counts through the package', async () => {
  const alice = `alice3-${run}`, bob = `bob3-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (user, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID: user, userSig });
      await ready;
      return chat;
    };
    const next = (chat, event, until = () => true) => new Promise((r) => {
      const h = ({ data }) => { if (until(data)) { chat.off(event, h); r(data); } };
      chat.on(event, h);
    });
    const b = await open(bob, bobSig);
    const a = await open(alice, aliceSig);
    const mine = await a.updateMyProfile({ nick: 'Alice A.', avatar: 'https://example.com/a.png',
      gender: DuetChat.TYPES.GENDER_FEMALE, selfSignature: 'Hello from Lyon', birthday: 19900101 });
    const refusedProfile = await a.updateMyProfile({ nick: 'Not me', gender: 'Female' }).then(() => null, (e) => e.code);
    let arriving = next(b, DuetChat.EVENT.MESSAGE_RECEIVED);
    const { data: { message: sent } } = await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'oops' } }));
    const [received] = await arriving;
    const unreadAfterOne = b.getTotalUnreadMessageCount();
    const revokedAtBob = next(b, DuetChat.EVENT.MESSAGE_REVOKED);
    await a.revokeMessage(sent);
    const revoked = await revokedAtBob;
    const history = await b.getMessageList({ conversationID: `C2C${alice}` });
    // As it was before the read: the objects themselves are marked read in place.
    const readBefore = history.data.messageList.map((m) => m.isRead);
    await b.setMessageRead({ conversationID: `C2C${alice}` });
    await new Promise((r) => setTimeout(r, 100));
    const unreadAfterRead = b.getTotalUnreadMessageCount();
    const afterRead = await b.getMessageList({ conversationID: `C2C${alice}` });
    const blockedEvent = next(b, DuetChat.EVENT.BLACKLIST_UPDATED);
    const blockedNow = (await b.addToBlacklist({ userIDList: [alice] })).data;
    const blacklistEvent = await blockedEvent;
    const refused = a.createTextMessage({ to: bob, payload: { text: 'let me in' } });
    // As Tencent's SDK rejects: the message, now failed, in the error's `data.message`.
    const [blocked, refusedData] = await a.sendMessage(refused)
      .then(() => [null], (e) => [e.code, e.data?.message === refused && refused.status]);
    const blacklist = await b.getBlacklist();
    const unblockedNow = (await b.removeFromBlacklist({ userIDList: [alice] })).data;
    // Bob's AllowType is the default, NeedConfirm: alice's request is an application.
    const applied = next(b, DuetChat.EVENT.FRIEND_APPLICATION_LIST_UPDATED);
    const friend = await a.addFriend({ to: bob, wording: 'Hi Bob, it is Alice', source: 'AddSource_Type_Web' });
    const applicationEvent = await applied;
    const bobsApplications = await b.getFriendApplicationList();
    const alicesApplications = await a.getFriendApplicationList();
    const friendsBefore = await a.getFriendList();
    const wrongAccept = await a.acceptFriendApplication({ userID: bob }).then(() => null, (e) => e.code);
    const friendEvent = next(a, DuetChat.EVENT.FRIEND_LIST_UPDATED);
    const answered = next(a, DuetChat.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (d) => d.applicationList.length === 0);
    await b.acceptFriendApplication({ userID: alice, remark: 'Alice from work', type: DuetChat.TYPES.SNS_APPLICATION_AGREE_AND_ADD });
    const friendsEvent = await friendEvent;
    const applicationsAfter = await answered;
    const friends = await a.getFriendList();
    // A conversation shows the friend's remark, as Tencent's `remark`; a change to it or to
    // the remind type comes as CONVERSATION_LIST_UPDATED, as Tencent's does.
    const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('no event'), 5000))]);
    const withAlice = (list) => list.find((c) => c.conversationID === `C2C${alice}`);
    const remarkedEvent = next(b, DuetChat.EVENT.CONVERSATION_LIST_UPDATED, (list) => withAlice(list)?.remark === 'Alice A.');
    const updatedFriend = (await b.updateFriend({ userID: alice, remark: 'Alice A.' })).data;
    const conversationRemark = {
      event: withAlice(await within(remarkedEvent))?.remark,
      listed: withAlice((await b.getConversationList()).data.conversationList).remark,
    };
    const otherDevice = await open(bob, bobSig);
    for (let i = 0; i < 100 && !conversationRemark.otherDevice; i++) {
      conversationRemark.otherDevice = withAlice((await otherDevice.getConversationList()).data.conversationList).remark;
      await new Promise((r) => setTimeout(r, 50));
    }
    await otherDevice.logout();
    const mutedEvent = next(b, DuetChat.EVENT.CONVERSATION_LIST_UPDATED,
      (list) => withAlice(list)?.messageRemindType === DuetChat.TYPES.MSG_REMIND_ACPT_NOT_NOTE);
    await b.setMessageRemindType({ userIDList: [alice], messageRemindType: DuetChat.TYPES.MSG_REMIND_ACPT_NOT_NOTE });
    conversationRemark.muted = withAlice(await within(mutedEvent))?.messageRemindType;
    await b.setMessageRemindType({ userIDList: [alice], messageRemindType: DuetChat.TYPES.MSG_REMIND_ACPT_AND_NOTE });
    const bobsFriends = await b.getFriendList();
    // Clearing the remark reaches the cached list (of this device, as of every other).
    await b.updateFriend({ userID: alice, remark: '' });
    let remarkAfterClear;
    for (let i = 0; i < 100; i++) {
      remarkAfterClear = (await b.getFriendList()).data[0].remark;
      if (remarkAfterClear === '') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    conversationRemark.cleared = withAlice((await b.getConversationList()).data.conversationList).remark;
    const created = await b.createFriendGroup({ name: 'work', userIDList: [alice, 'not-a-friend'] });
    const grouped = await b.getFriendList();
    const groups = await b.getFriendGroupList();
    const renamed = await b.renameFriendGroup({ oldName: 'work', newName: 'office' });
    const groupedAfterRename = await b.getFriendList();
    await b.createFriendGroup({ name: 'chess', userIDList: [] });
    const renameRefused = await Promise.all([['nope', 'x'], ['office', 'chess']]
      .map(([oldName, newName]) => b.renameFriendGroup({ oldName, newName }).then(() => 0, (e) => e.code)));
    await b.renameFriendGroup({ oldName: 'office', newName: 'work' });
    await b.deleteFriendGroup({ name: 'chess' });
    const removed = await b.removeFromFriendGroup({ name: 'work', userIDList: [alice] });
    await b.deleteFriendGroup({ name: 'work' });
    const groupsAfter = await b.getFriendGroupList();
    const profiles = await b.getUserProfile({ userIDList: [alice] });
    const unfriended = (await a.deleteFriend({ userIDList: [bob, `${bob}x`] })).data;
    const deleted = await b.deleteMessage(history.data.messageList);
    const deletedInPlace = deleted.data.messageList.length === history.data.messageList.length
      && deleted.data.messageList.every((m, i) => m === history.data.messageList[i] && m.isDeleted === true);
    const afterDelete = await b.getMessageList({ conversationID: `C2C${alice}` });
    await a.logout();
    await b.logout();
    return { received, unreadAfterOne, revoked, history: history.data.messageList, unreadAfterRead, blocked, refusedData,
      blacklistEvent, friendsEvent, applicationEvent, bobsApplications: bobsApplications.data,
      alicesApplications: alicesApplications.data, friendsBefore: friendsBefore.data, wrongAccept, applicationsAfter,
      readBefore, readAfter: afterRead.data.messageList.map((m) => m.isRead),
      blacklist: blacklist.data, friend: friend.data, friends: friends.data, bobsFriends: bobsFriends.data, grouped: grouped.data,
      profiles: profiles.data, mine: mine.data, refusedProfile, remarkAfterClear,
      created: created.data, groups: groups.data, removed: removed.data, groupsAfter: groupsAfter.data,
      renamed: renamed.data, groupedAfterRename: groupedAfterRename.data.map((f) => f.groupList), renameRefused,
      afterDelete: afterDelete.data.messageList, blockedNow, unblockedNow, unfriended, deletedInPlace,
      updatedFriend: [updatedFriend.userID, updatedFriend.remark, updatedFriend.profile.userID], conversationRemark };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual([got.blockedNow, got.unblockedNow], [[alice], []],
    'addToBlacklist and removeFromBlacklist resolve the blacklist as it is now, as Tencent\'s do');
  assert.deepEqual(got.unfriended.successUserIDList, [{ userID: bob }], 'deleteFriend: [{ userID }], as Tencent\'s');
  assert.equal(got.deletedInPlace, true, 'deleteMessage resolves { messageList }: the objects given, each isDeleted');
  assert.deepEqual(got.updatedFriend, [alice, 'Alice A.', alice], 'updateFriend resolves the friend, as Tencent\'s');
  assert.deepEqual(got.conversationRemark, {
    event: 'Alice A.', listed: 'Alice A.', otherDevice: 'Alice A.', muted: 'AcceptNotNotify', cleared: '',
  }, "a conversation's remark is the friend's, on every device, and changes to it and to the remind type are events");
  assert.deepEqual(got.unfriended.failureUserIDList.map((f) => [f.userID, f.code]), [[`${bob}x`, 20003]]);

  assert.equal(got.received.nick, 'Alice A.', 'the sender profile travels with the message');
  assert.equal(got.received.avatar, 'https://example.com/a.png');
  assert.equal(got.unreadAfterOne, 1);
  assert.equal(got.revoked[0].ID, got.received.ID);
  assert.equal(got.revoked[0].isRevoked, true);
  assert.equal(got.revoked[0].from, alice, 'MESSAGE_REVOKED carries the message object');
  assert.equal(got.history.length, 1);
  assert.equal(got.history[0].isRevoked, true);
  assert.equal(got.unreadAfterRead, 0);
  assert.deepEqual(got.readBefore, [false], 'an incoming message is unread until its conversation is read');
  assert.deepEqual(got.readAfter, [true], 'and read after');
  assert.equal(got.blocked, 20007);
  assert.equal(got.refusedData, 'fail', 'the refusal carries the message, now failed, in data.message');
  assert.deepEqual(got.blacklist, [alice]);
  assert.deepEqual(got.blacklistEvent, [alice], 'BLACKLIST_UPDATED carries the list');
  assert.equal(got.friend.code, 30539, 'addFriend resolves with 30539: the application waits for bob');
  const toBob = { userID: alice, type: 'Pendency_Type_ComeIn', wording: 'Hi Bob, it is Alice', source: 'AddSource_Type_Web' };
  const { time, ...event } = got.applicationEvent.applicationList[0];
  assert.ok(time > 1_700_000_000, `the application's time in seconds: ${time}`);
  assert.deepEqual(event, toBob, 'FRIEND_APPLICATION_LIST_UPDATED brings the application to bob');
  assert.equal(got.applicationEvent.unreadCount, 1);
  assert.deepEqual(got.bobsApplications.applicationList.map(({ time, ...a }) => a), [toBob]);
  assert.deepEqual(got.alicesApplications.applicationList.map((a) => [a.userID, a.type]), [[bob, 'Pendency_Type_SendOut']]);
  assert.equal(got.alicesApplications.unreadCount, 0);
  assert.deepEqual(got.friendsBefore, [], 'no friendship before bob accepts');
  assert.equal(got.wrongAccept, 30001, 'only the one asked can accept');
  // Tencent's Friend: every field, the profile with the user's own.
  const brief = ({ profile, ...f }) => ({ ...f, nick: profile.nick, profileOf: profile.userID });
  const bobAsFriend = { userID: bob, remark: '', groupList: [], source: 'AddSource_Type_Web', wording: 'Hi Bob, it is Alice',
    friendCustomField: [], nick: '', profileOf: bob };
  assert.deepEqual(got.friendsEvent.map(brief), [bobAsFriend], 'FRIEND_LIST_UPDATED carries the list when bob accepts');
  assert.deepEqual(got.applicationsAfter, { applicationList: [], unreadCount: 0 }, 'the accepted application is gone');
  assert.deepEqual(got.friends.map(brief), [bobAsFriend]);
  assert.deepEqual(got.bobsFriends.map((f) => [f.userID, f.remark, f.profile.nick, f.profile.selfSignature]),
    [[alice, 'Alice A.', 'Alice A.', 'Hello from Lyon']], 'accepted with a remark, then updated; with her profile');
  assert.deepEqual(got.grouped.map((f) => f.groupList), [['work']], 'a friend lists the groups it is in');
  assert.equal(got.remarkAfterClear, '', 'a cleared remark leaves the cached list');
  assert.deepEqual(got.created.friendGroup, { name: 'work', count: 1, userIDList: [alice] });
  assert.deepEqual(got.created.failureUserIDList.map((f) => [f.userID, f.code]), [['not-a-friend', 30001]]);
  assert.deepEqual(got.groups, [{ name: 'work', count: 1, userIDList: [alice] }]);
  assert.deepEqual(got.renamed.friendGroup, { name: 'office', count: 1, userIDList: [alice] }, 'renamed, the group keeps its friends');
  assert.deepEqual(got.groupedAfterRename, [['office']], 'and the friend is in it by its new name');
  assert.deepEqual(got.renameRefused, [60006, 60006], 'no such group; the new name is taken');
  assert.deepEqual(got.removed.friendGroup, { name: 'work', count: 0, userIDList: [] });
  assert.deepEqual(got.groupsAfter, [], 'deleted');
  assert.equal(got.profiles[0].nick, 'Alice A.', 'a refused profile change changes nothing');
  assert.equal(got.refusedProfile, 60006);
  for (const p of [got.mine, got.profiles[0]]) {
    assert.deepEqual([p.gender, p.selfSignature, p.birthday, p.allowType, p.level],
      ['Gender_Type_Female', 'Hello from Lyon', 19900101, 'AllowType_Type_NeedConfirm', 0]);
  }
  assert.equal(got.afterDelete.length, 0, 'a deleted message does not come back from history');
});

test('checkFriend tells each side of a friendship, and getFriendProfile gives friends with their profiles', async () => {
  const alice = `alice-check-${run}`, bob = `bob-check-${run}`, carol = `carol-check-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const { TYPES } = DuetChat;
    const open = async (userID, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID, userSig });
      await ready;
      return chat;
    };
    const code = (p) => p.then(() => null, (e) => e.code);
    const relations = async (chat, userIDList, type) =>
      (await chat.checkFriend({ userIDList, type })).data;
    const a = await open(alice, aliceSig);
    const b = await open(bob, bobSig);
    await b.updateMyProfile({ nick: 'Bob B.', selfSignature: 'Hi there' });
    await a.addFriend({ to: bob, remark: 'Bob from the club' });
    const applied = await relations(a, [bob]);
    // Accepted one way: alice lists bob, bob does not list alice.
    const listed = new Promise((r) => a.on(DuetChat.EVENT.FRIEND_LIST_UPDATED, ({ data }) => data.length && r()));
    await b.acceptFriendApplication({ userID: alice, type: TYPES.SNS_APPLICATION_AGREE });
    await listed;
    const alices = await relations(a, [bob, carol]);
    const alicesSingle = await relations(a, [bob, carol], TYPES.SNS_CHECK_TYPE_SINGLE);
    const bobs = await relations(b, [alice], TYPES.SNS_CHECK_TYPE_BOTH);
    const bobsSingle = await relations(b, [alice], TYPES.SNS_CHECK_TYPE_SINGLE);
    const profiles = (await a.getFriendProfile({ userIDList: [bob, carol] })).data;
    const noFriends = (await b.getFriendProfile({ userIDList: [alice] })).data;
    const badType = await code(a.checkFriend({ userIDList: [bob], type: 'Both' }));
    const tooMany = await code(a.checkFriend({ userIDList: Array.from({ length: 1001 }, (_, i) => `u${i}`) }));
    const noList = await code(a.getFriendProfile({}));
    await a.logout();
    await b.logout();
    return { applied, alices, alicesSingle, bobs, bobsSingle, profiles, noFriends, badType, tooMany, noList, TYPES };
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob) });

  const { TYPES } = got;
  assert.deepEqual(
    [TYPES.SNS_TYPE_NO_RELATION, TYPES.SNS_TYPE_A_WITH_B, TYPES.SNS_TYPE_B_WITH_A, TYPES.SNS_TYPE_BOTH_WAY],
    ['CheckResult_Type_NoRelation', 'CheckResult_Type_AWithB', 'CheckResult_Type_BWithA', 'CheckResult_Type_BothWay'],
    "Tencent's values",
  );
  const one = (userID, relation) => ({ userID, code: 0, relation });
  assert.deepEqual(got.applied, { successUserIDList: [one(bob, TYPES.SNS_TYPE_NO_RELATION)], failureUserIDList: [] },
    'an application is no friendship');
  assert.deepEqual(got.alices.successUserIDList,
    [one(bob, TYPES.SNS_TYPE_A_WITH_B), one(carol, TYPES.SNS_TYPE_NO_RELATION)], 'in request order');
  assert.deepEqual(got.alicesSingle.successUserIDList,
    [one(bob, TYPES.SNS_TYPE_A_WITH_B), one(carol, TYPES.SNS_TYPE_NO_RELATION)]);
  assert.deepEqual(got.bobs.successUserIDList, [one(alice, TYPES.SNS_TYPE_B_WITH_A)], "bob is on alice's list, not she on his");
  assert.deepEqual(got.bobsSingle.successUserIDList, [one(alice, TYPES.SNS_TYPE_NO_RELATION)],
    "a single check looks at the caller's list alone");
  assert.equal(got.profiles.friendList.length, 1);
  const [friend] = got.profiles.friendList;
  assert.equal(friend.userID, bob);
  assert.equal(friend.remark, 'Bob from the club', 'the remark given with the application');
  assert.deepEqual([friend.profile.userID, friend.profile.nick, friend.profile.selfSignature], [bob, 'Bob B.', 'Hi there']);
  assert.deepEqual(got.profiles.failureUserIDList.map((f) => [f.userID, f.code]), [[carol, 30001]]);
  assert.deepEqual(got.noFriends.friendList, [], 'bob does not list alice');
  assert.deepEqual(got.noFriends.failureUserIDList.map((f) => [f.userID, f.code]), [[alice, 30001]]);
  assert.equal(got.badType, 60006);
  assert.equal(got.tooMany, 90011, 'the server bounds the list');
  assert.equal(got.noList, 60006);
});

test('FRIEND_LIST_UPDATED after many quick changes ends with the whole list, each friend with its profile', async () => {
  const alice = `alice-many-${run}`;
  const friends = Array.from({ length: 12 }, (_, i) => `friend${i}-many-${run}`);
  await rest('im_open_login_svc/multiaccount_import', { Accounts: [alice, ...friends] });
  await rest('im_open_login_svc/account_import', { UserID: friends[0], Nick: 'First friend' });
  await page.evaluate(async ({ wsUrl, SDKAPPID, alice, aliceSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    window.many = { a, heard: [] };
    a.on(DuetChat.EVENT.FRIEND_LIST_UPDATED, ({ data }) => window.many.heard.push(data));
  }, { wsUrl, SDKAPPID, alice, aliceSig: sig(alice) });
  // As a backend adds them, one call each, faster than the SDK reads profiles.
  await Promise.all(friends.map((f) => rest('sns/friend_add', { From_Account: alice, AddFriendItem: [{ To_Account: f }], ForceAddFlags: 1 })));
  const got = await page.evaluate(async (count) => {
    const last = () => window.many.heard.at(-1) ?? [];
    await window.until(() => last().length === count);
    await new Promise((r) => setTimeout(r, 300)); // nothing older comes after it
    const out = { events: window.many.heard.length, last: last().map((f) => [f.userID, f.profile.userID, f.profile.nick]) };
    await window.many.a.logout();
    return out;
  }, friends.length);
  assert.deepEqual(got.last.map(([id]) => id).sort(), [...friends].sort(), 'the last event lists every friend');
  assert.ok(got.last.every(([id, of]) => id === of), 'each with its own profile');
  assert.deepEqual(got.last.find(([id]) => id === friends[0])[2], 'First friend');
  assert.ok(got.events <= friends.length, `${got.events} events for ${friends.length} changes`);
});

test('modifyMessage edits a sent message on every device of both users, and a stale edit gets 2480', async () => {
  const alice = `alice-edit-${run}`, bob = `bob-edit-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    let a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const heard = { a: [], a2: [], b: [] };
    // Each as it was heard: the objects themselves are updated in place by later edits.
    a.on(DuetChat.EVENT.MESSAGE_MODIFIED, (e) => heard.a.push(...structuredClone(e.data)));
    a2.on(DuetChat.EVENT.MESSAGE_MODIFIED, (e) => heard.a2.push(...structuredClone(e.data)));
    b.on(DuetChat.EVENT.MESSAGE_MODIFIED, (e) => heard.b.push(...structuredClone(e.data)));
    const { until } = window;
    const list = async (chat, peer) => (await chat.getMessageList({ conversationID: `C2C${peer}` })).data.messageList;
    const msg = a.createTextMessage({ to: bob, conversationType: DuetChat.TYPES.CONV_C2C, payload: { text: 'see you at 5' } });
    await a.sendMessage(msg);
    await until(async () => (await list(b, alice)).length === 1 && (await list(a2, bob)).length === 1);
    // A copy the app kept: the SDK's own object is brought up to date by the edit below.
    const stale = structuredClone((await list(a2, bob))[0]);
    const neverEdited = stale.isModified;

    msg.payload.text = 'see you at 6';
    const edited = await a.modifyMessage(msg);
    const answer = { code: edited.code, same: edited.data.message === msg, version: msg.version, modified: msg.modifiedTime > 0, text: msg.payload.text, ID: msg.ID };
    await until(() => heard.b.length >= 1 && heard.a2.length >= 1 && heard.a.length >= 1);
    const onB = (await list(b, alice))[0];
    const seenOnB = { text: onB.payload.text, version: onB.version, modified: onB.modifiedTime > 0, isModified: onB.isModified };
    const lastOnB = (await b.getConversationList()).data.conversationList[0].lastMessage.payload.text;

    stale.payload.text = 'see you at 7';
    const conflict = await a2.modifyMessage(stale).then(() => 0, (e) => [e.code, e.data?.message?.payload.text, e.data?.message?.version]);
    // The recipient may not change the words, only the custom data (a reply's link, say).
    const words = await b.modifyMessage({ ...onB, payload: { text: 'at 8 then' } }).then(() => 0, (e) => e.code);
    await a2.logout();
    onB.cloudCustomData = JSON.stringify({ messageReply: { messageID: 'x', version: 1 } });
    const data = await b.modifyMessage(onB);
    await until(() => heard.a.length >= 2);
    // A device that was away catches up: its cache holds the newest version.
    a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const back = (await list(a2, bob))[0];
    const out = {
      answer, conflict, words, dataVersion: data.data.message.version, neverEdited, answerIsModified: msg.isModified,
      heard: Object.fromEntries(Object.entries(heard).map(([k, v]) => [k, v.map((m) => [m.ID, m.version, m.payload.text])])),
      onB: seenOnB,
      lastOnB,
      aLast: heard.a.at(-1).cloudCustomData,
      back: { text: back.payload.text, version: back.version, data: back.cloudCustomData },
    };
    for (const chat of [a, a2, b]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.answer, { code: 0, same: true, version: 1, modified: true, text: 'see you at 6', ID: got.answer.ID });
  for (const device of ['a', 'a2', 'b']) {
    assert.deepEqual(got.heard[device][0], [got.answer.ID, 1, 'see you at 6'], `${device} hears MESSAGE_MODIFIED with the same ID`);
  }
  assert.deepEqual(got.onB, { text: 'see you at 6', version: 1, modified: true, isModified: true }, 'the peer\'s history holds the new version');
  assert.deepEqual([got.neverEdited, got.answerIsModified], [false, true], 'isModified, as Tencent names an edited message');
  assert.equal(got.lastOnB, 'see you at 6', 'and so does its conversation list');
  assert.deepEqual(got.conflict, [2480, 'see you at 6', 1], 'an edit of an old version is refused, with the newest version in data.message');
  assert.equal(got.words, 60015, 'only the sender changes the words');
  assert.equal(got.dataVersion, 2);
  assert.match(got.aLast, /messageReply/, 'the sender hears the recipient\'s custom-data edit');
  assert.deepEqual(got.back, { text: 'see you at 6', version: 2, data: got.aLast }, 'a device that was away catches up');
});

test('pinConversation and setConversationDraft reach every device of the user; sending clears the draft', async () => {
  const alice = `alice-pin-${run}`, bob = `bob-pin-${run}`, carol = `carol-pin-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    let [a1, a2, b, c] = await window.signInAll(SDKAPPID, wsUrl, [[alice, aliceSig], [alice, aliceSig], [bob, bobSig], [carol, carolSig]]);
    const { until } = window;
    const list = async (chat) => (await chat.getConversationList()).data.conversationList
      .map((x) => [x.conversationID, x.isPinned, x.draftText]);
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'from bob, first' } }));
    await c.sendMessage(c.createTextMessage({ to: alice, payload: { text: 'from carol, later' } }));
    await until(async () => (await list(a2)).length === 2);
    const before = await list(a2);
    let heard = 0;
    a2.on(DuetChat.EVENT.CONVERSATION_LIST_UPDATED, () => { heard += 1; });
    const pinned = await a1.pinConversation({ conversationID: `C2C${bob}`, isPinned: true });
    const drafted = await a1.setConversationDraft({ conversationID: `C2C${bob}`, draftText: 'half a\nthought' });
    const onA1 = await list(a1);
    await until(async () => (await list(a2))[0][2] === 'half a\nthought');
    const onA2 = await list(a2);
    const stranger = await a1.pinConversation({ conversationID: 'C2Cnobody-here', isPinned: true }).then(() => 0, (e) => e.code);
    const tooLong = await a1.setConversationDraft({ conversationID: `C2C${bob}`, draftText: 'x'.repeat(2049) }).then(() => 0, (e) => e.code);
    // A device that was away gets the state at sign-in; sending from it clears the draft everywhere.
    await a2.logout();
    a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const afterSignIn = await list(a2);
    await a2.sendMessage(a2.createTextMessage({ to: bob, payload: { text: 'the whole thought' } }));
    await until(async () => (await list(a1))[0][2] === '');
    const cleared = { a1: await list(a1), a2: await list(a2) };
    const onB = await list(b);
    for (const chat of [a1, a2, b, c]) await chat.logout();
    return { before, pinned: pinned.data, drafted: drafted.data, onA1, onA2, heard, stranger, tooLong, afterSignIn, cleared, onB };
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  const [B, C] = [`C2C${bob}`, `C2C${carol}`];
  assert.deepEqual(got.before, [[C, false, ''], [B, false, '']], 'most recent first');
  assert.deepEqual(got.pinned, { conversationID: B });
  assert.deepEqual(got.drafted, { conversationID: B });
  assert.deepEqual(got.onA1, [[B, true, 'half a\nthought'], [C, false, '']], 'pinned first, at once on the device that pinned');
  assert.deepEqual(got.onA2, got.onA1, 'and on the user\'s other device');
  assert.ok(got.heard >= 1, 'which hears CONVERSATION_LIST_UPDATED');
  assert.equal(got.stranger, 60016);
  assert.equal(got.tooLong, 60006);
  assert.deepEqual(got.afterSignIn, got.onA1, 'a device that was away gets the state');
  assert.deepEqual(got.cleared.a1, [[B, true, ''], [C, false, '']], 'sending there cleared the draft on every device');
  assert.deepEqual(got.cleared.a2, got.cleared.a1);
  assert.ok(got.onB.every(([, isPinned, draft]) => !isPinned && draft === ''), 'the peer learns nothing');
});

test('markConversation and setConversationCustomData reach every device of the user; getConversationList filters by them', async () => {
  const alice = `alice-mark-${run}`, bob = `bob-mark-${run}`, carol = `carol-mark-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const { TYPES } = DuetChat;
    let [a1, a2, b, c] = await window.signInAll(SDKAPPID, wsUrl, [[alice, aliceSig], [alice, aliceSig], [bob, bobSig], [carol, carolSig]]);
    const { until } = window;
    const [B, C] = [`C2C${bob}`, `C2C${carol}`];
    const state = async (chat, options) => (await chat.getConversationList(options)).data.conversationList
      .map((x) => [x.conversationID, x.markList, x.customData]);
    const ids = async (chat, options) => (await state(chat, options)).map(([id]) => id);
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'from bob' } }));
    await c.sendMessage(c.createTextMessage({ to: alice, payload: { text: 'from carol' } }));
    await until(async () => (await state(a2)).length === 2);
    await a1.setMessageRead({ conversationID: C });
    const before = await state(a2);
    let heard = 0;
    a2.on(DuetChat.EVENT.CONVERSATION_LIST_UPDATED, () => { heard += 1; });
    const own = 2 ** 40;
    const starred = await a1.markConversation({ conversationIDList: [B, C, 'C2Cnobody-here'], markType: TYPES.CONV_MARK_TYPE_STAR, enableMark: true });
    await a1.markConversation({ conversationIDList: [B], markType: own, enableMark: true });
    await a1.markConversation({ conversationIDList: [C], markType: TYPES.CONV_MARK_TYPE_STAR, enableMark: false });
    const data = await a1.setConversationCustomData({ conversationIDList: [B], customData: '{"folder":"work"}' });
    const tooLong = await a1.setConversationCustomData({ conversationIDList: [C], customData: 'x'.repeat(257) });
    const onA1 = await state(a1);
    await until(async () => (await state(a2)).some(([, , customData]) => customData !== ''));
    const onA2 = await state(a2);
    const filters = {
      star: await ids(a1, { markType: TYPES.CONV_MARK_TYPE_STAR }),
      own: await ids(a1, { markType: own }),
      unmarked: await ids(a1, { markType: 0 }),
      unread: await ids(a1, { hasUnreadCount: true }),
      read: await ids(a1, { hasUnreadCount: false }),
      starAndRead: await ids(a1, { markType: TYPES.CONV_MARK_TYPE_STAR, hasUnreadCount: false }),
      c2c: await ids(a1, { type: TYPES.CONV_C2C }),
      group: await ids(a1, { type: TYPES.CONV_GROUP }),
      system: await ids(a1, { type: TYPES.CONV_SYSTEM }),
      named: await ids(a1, [C, 'C2Cnobody-here']),
      empty: await ids(a1, []),
    };
    const wrong = {
      markType: await a1.markConversation({ conversationIDList: [B], markType: 3, enableMark: true }).then(() => 0, (e) => e.code),
      enableMark: await a1.markConversation({ conversationIDList: [B], markType: 1 }).then(() => 0, (e) => e.code),
      customData: await a1.setConversationCustomData({ conversationIDList: [B] }).then(() => 0, (e) => e.code),
      group: await a1.markConversation({ conversationIDList: [B, 'GROUPx'], markType: 1, enableMark: false }).then(() => 0, (e) => e.code),
    };
    // A device that was away gets the state at sign-in.
    await a2.logout();
    a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const afterSignIn = await state(a2);
    const onB = await state(b);
    for (const chat of [a1, a2, b, c]) await chat.logout();
    return { before, starred: starred.data, data: data.data, tooLong: tooLong.data, onA1, onA2, heard, filters, wrong, afterSignIn, onB };
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  const [B, C] = [`C2C${bob}`, `C2C${carol}`];
  assert.deepEqual(got.before, [[C, [], ''], [B, [], '']]);
  assert.deepEqual(got.starred.successConversationIDList, [B, C]);
  assert.deepEqual(got.starred.failureConversationIDList.map((f) => [f.conversationID, f.code]), [['C2Cnobody-here', 60016]]);
  assert.ok(got.starred.failureConversationIDList.every((f) => f.message.length > 0), 'each failure says why');
  assert.deepEqual(got.data, { successConversationIDList: [B], failureConversationIDList: [] });
  assert.deepEqual(got.tooLong.successConversationIDList, []);
  assert.equal(got.tooLong.failureConversationIDList[0].code, 60006, 'custom data over 256 bytes is refused by the server');
  assert.deepEqual(got.onA1, [[C, [], ''], [B, [1, 2 ** 40], '{"folder":"work"}']], 'marks lowest first, an app\'s own mark too');
  assert.deepEqual(got.onA2, got.onA1, 'and on the user\'s other device');
  assert.ok(got.heard >= 1, 'which hears CONVERSATION_LIST_UPDATED');
  assert.deepEqual(got.filters, {
    star: [B], own: [B], unmarked: [C], unread: [B], read: [C], starAndRead: [], c2c: [C, B], group: [], system: [], named: [C], empty: [],
  });
  assert.deepEqual(got.wrong, { markType: 60006, enableMark: 60006, customData: 60006, group: 60006 }, 'and nothing changed');
  assert.deepEqual(got.afterSignIn, got.onA1, 'a device that was away gets the state');
  assert.ok(got.onB.every(([, marks, data]) => marks.length === 0 && data === ''), 'the peer learns nothing');
});

test('conversation groups are made, filled, renamed and deleted for every device of the user, with their events', async () => {
  const alice = `alice-cgroup-${run}`, bob = `bob-cgroup-${run}`, carol = `carol-cgroup-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    let [a1, a2, b, c] = await window.signInAll(SDKAPPID, wsUrl, [[alice, aliceSig], [alice, aliceSig], [bob, bobSig], [carol, carolSig]]);
    const { until } = window;
    const [B, C] = [`C2C${bob}`, `C2C${carol}`];
    const groupsOf = async (chat) => Object.fromEntries((await chat.getConversationList()).data.conversationList
      .map((x) => [x.conversationID, x.conversationGroupList]));
    const ids = async (chat, groupName) => (await chat.getConversationList({ groupName })).data.conversationList
      .map((x) => x.conversationID).sort();
    const names = async (chat) => (await chat.getConversationGroupList()).data;
    const code = (p) => p.then(() => 0, (e) => e.code);
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'from bob' } }));
    await c.sendMessage(c.createTextMessage({ to: alice, payload: { text: 'from carol' } }));
    await until(async () => Object.keys(await groupsOf(a2)).length === 2);
    const heard = { names: [], inGroup: [] };
    a2.on(DuetChat.EVENT.CONVERSATION_GROUP_LIST_UPDATED, (e) => heard.names.push(e.data));
    a2.on(DuetChat.EVENT.CONVERSATION_IN_GROUP_UPDATED, (e) => heard.inGroup.push(
      [e.data.groupName, e.data.conversationList.map((x) => x.conversationID).sort()]));
    const created = await a1.createConversationGroup({ groupName: 'work', conversationIDList: [B, 'C2Cnobody-here'] });
    const added = await a1.addConversationsToGroup({ groupName: 'work', conversationIDList: [C] });
    await a1.createConversationGroup({ groupName: 'family', conversationIDList: [C] });
    const made = { names: await names(a1), work: await ids(a1, 'work'), family: await ids(a1, 'family'), groups: await groupsOf(a1) };
    await until(async () => (await names(a2)).length === 2);
    const onA2 = await groupsOf(a2);
    const wrong = {
      exists: await code(a1.createConversationGroup({ groupName: 'work', conversationIDList: [C] })),
      missing: await code(a1.addConversationsToGroup({ groupName: 'nope', conversationIDList: [C] })),
      empty: await code(a1.createConversationGroup({ groupName: 'solo', conversationIDList: [] })),
      longName: await code(a1.createConversationGroup({ groupName: 'x'.repeat(33), conversationIDList: [B] })),
      noName: await code(a1.createConversationGroup({ conversationIDList: [B] })),
      renameTaken: await code(a1.renameConversationGroup({ oldName: 'work', newName: 'family' })),
      deleteMissing: await code(a1.deleteConversationGroup('nope')),
    };
    // Twenty groups at most.
    for (let i = 0; i < 18; i++) await a1.createConversationGroup({ groupName: `g${i}`, conversationIDList: [B] });
    const twentyFirst = await code(a1.createConversationGroup({ groupName: 'one too many', conversationIDList: [B] }));
    const atTwenty = (await names(a1)).length;
    for (let i = 0; i < 18; i++) await a1.deleteConversationGroup(`g${i}`);
    const renamed = await a1.renameConversationGroup({ oldName: 'work', newName: 'office' });
    const removed = await a1.deleteConversationsFromGroup({ groupName: 'office', conversationIDList: [C] });
    const deleted = await a1.deleteConversationGroup('family');
    const after = { names: await names(a1), office: await ids(a1, 'office'), groups: await groupsOf(a1) };
    await until(async () => (await names(a2)).join() === 'office');
    await until(() => heard.names.at(-1)?.join() === 'office');
    // A device that was away has them at sign-in; the peers learn nothing.
    await a2.logout();
    a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const afterSignIn = await groupsOf(a2);
    const onB = await groupsOf(b);
    // The same instance signed in as another user hears nothing of the last user's groups.
    const nextUser = [];
    a1.on(DuetChat.EVENT.CONVERSATION_GROUP_LIST_UPDATED, (e) => nextUser.push(e.data));
    a1.on(DuetChat.EVENT.CONVERSATION_IN_GROUP_UPDATED, (e) => nextUser.push(e.data.groupName));
    await a1.logout();
    const listed = new Promise((r) => a1.on(DuetChat.EVENT.CONVERSATION_LIST_UPDATED, r));
    await a1.login({ userID: bob, userSig: bobSig });
    await listed;
    await new Promise((r) => setTimeout(r, 300));
    for (const chat of [a1, a2, b, c]) await chat.logout();
    return {
      created: created.data, added: added.data, made, onA2, wrong, twentyFirst, atTwenty,
      renamed: renamed.data, removed: removed.data, deleted: deleted.data, after, heard, afterSignIn, onB, nextUser,
    };
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  const [B, C] = [`C2C${bob}`, `C2C${carol}`];
  assert.deepEqual(got.created.successConversationIDList, [B]);
  assert.deepEqual(got.created.failureConversationIDList.map((f) => [f.conversationID, f.code]), [['C2Cnobody-here', 60016]]);
  assert.deepEqual(got.added, { successConversationIDList: [C], failureConversationIDList: [] });
  assert.deepEqual(got.made.names, ['family', 'work'], 'by name');
  assert.deepEqual([got.made.work, got.made.family], [[B, C].sort(), [C]], 'getConversationList filters by groupName');
  assert.deepEqual(got.made.groups, { [B]: ['work'], [C]: ['work', 'family'] }, 'each conversation\'s groups, in the order it joined');
  assert.deepEqual(got.onA2, got.made.groups, 'and on the user\'s other device');
  assert.deepEqual(got.wrong, { exists: 60006, missing: 60006, empty: 60006, longName: 60006, noName: 60006, renameTaken: 60006, deleteMissing: 60006 });
  assert.equal(got.atTwenty, 20);
  assert.equal(got.twentyFirst, 51010, 'a user has at most 20 groups');
  assert.deepEqual(got.renamed.successConversationIDList.sort(), [B, C].sort(), 'a rename moves every conversation of the group');
  assert.deepEqual([got.removed.successConversationIDList, got.deleted.successConversationIDList], [[C], [C]]);
  assert.deepEqual(got.after, { names: ['office'], office: [B], groups: { [B]: ['office'], [C]: [] } });
  assert.deepEqual(got.heard.names[0], ['work'], 'the other device heard the first group come');
  assert.ok(got.heard.inGroup.some(([name, ids]) => name === 'work' && ids.join() === [B, C].sort().join()), 'and the conversations of a group change');
  assert.ok(got.heard.inGroup.some(([name, ids]) => name === 'family' && ids.length === 0), 'and a group go');
  assert.deepEqual(got.afterSignIn, got.after.groups, 'a device that was away gets the groups');
  assert.ok(Object.values(got.onB).every((groups) => groups.length === 0), 'the peer learns nothing');
  assert.deepEqual(got.nextUser, [], 'nor does the next user of the same instance');
});

test('FRIEND_GROUP_LIST_UPDATED brings the groups to every device of the user after a change on any of them, or by the backend', async () => {
  const alice = `alice-groups-${run}`, bob = `bob-groups-${run}`, carol = `carol-groups-${run}`;
  await rest('im_open_login_svc/multiaccount_import', { Accounts: [alice, bob, carol] });
  await rest('sns/friend_add', { From_Account: alice, AddFriendItem: [{ To_Account: bob }, { To_Account: carol }], ForceAddFlags: 1 });
  const args = { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice) };
  // alice's devices in the page: each records every list it hears, from before it signs in.
  await page.evaluate(() => {
    window.groups = { heard: {}, chats: {} };
    window.groups.device = async (name, { wsUrl, SDKAPPID, alice, aliceSig }) => {
      const { default: DuetChat, Chat } = await import('/pkg/index.js');
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      window.groups.heard[name] = [];
      chat.on(DuetChat.EVENT.FRIEND_GROUP_LIST_UPDATED, (e) => window.groups.heard[name].push(
        e.data.map((x) => [x.name, x.count, [...x.userIDList].sort()])));
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID: alice, userSig: aliceSig });
      await ready;
      window.groups.chats[name] = chat;
      return chat;
    };
    // Waits until each of `devices` last heard `expected`; returns all they heard.
    window.groups.until = async (devices, expected) => {
      const now = () => devices.every((d) => JSON.stringify(window.groups.heard[d].at(-1)) === JSON.stringify(expected));
      for (let i = 0; i < 100 && !now(); i++) await new Promise((r) => setTimeout(r, 50));
      return window.groups.heard;
    };
  });

  const work = ['work', 1, [bob]];
  let heard = await page.evaluate(async (a) => {
    const { device, until } = window.groups;
    const a1 = await device('a1', a);
    await device('a2', a);
    await a1.createFriendGroup({ name: 'work', userIDList: [a.bob] });
    return until(['a1', 'a2'], a.expected);
  }, { ...args, expected: [work] });
  assert.deepEqual(heard.a1.at(-1), [work], 'the device that made the group hears it');
  assert.deepEqual(heard.a2.at(-1), [work], 'and so does the user\'s other device');

  const both = ['work', 2, [bob, carol].sort()];
  heard = await page.evaluate(async (a) => {
    await window.groups.chats.a2.addToFriendGroup({ name: 'work', userIDList: [a.carol] });
    return window.groups.until(['a1', 'a2'], a.expected);
  }, { ...args, expected: [both] });
  assert.deepEqual(heard.a1.at(-1), [both], 'a friend put in a group on another device');

  await rest('sns/group_add', { From_Account: alice, GroupName: ['family'], To_Account: [bob] });
  const withFamily = [['family', 1, [bob]], both];
  heard = await page.evaluate((expected) => window.groups.until(['a1', 'a2'], expected), withFamily);
  assert.deepEqual(heard.a1.at(-1), withFamily, 'a group the backend made');
  assert.deepEqual(heard.a2.at(-1), withFamily);

  // A browser that was away (both tabs share its cache, so both sign out) hears the groups as
  // they are when it signs in again.
  await page.evaluate(async () => { for (const chat of Object.values(window.groups.chats)) await chat.logout(); });
  await rest('sns/group_delete', { From_Account: alice, GroupName: ['work'] });
  heard = await page.evaluate(async (a) => {
    await window.groups.device('a2', a);
    const heard = await window.groups.until(['a2'], a.expected);
    await window.groups.device('a1', a);
    return heard;
  }, { ...args, expected: [['family', 1, [bob]]] });
  assert.deepEqual(heard.a2.at(-1), [['family', 1, [bob]]], 'the groups after the backend deleted one, at sign-in');

  // A remark is no group change, and neither is one that was refused.
  const before = { a1: heard.a1.length, a2: heard.a2.length };
  heard = await page.evaluate(async ({ bob, nobody }) => {
    const { chats, heard } = window.groups;
    await chats.a1.updateFriend({ userID: bob, remark: 'B' });
    const refused = await chats.a1.addToFriendGroup({ name: 'family', userIDList: [nobody] });
    // After the message reaches a2, anything logged before it has too.
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const arrived = new Promise((r) => chats.a2.on(DuetChat.EVENT.MESSAGE_RECEIVED, r));
    await chats.a1.sendMessage(chats.a1.createTextMessage({ to: bob, payload: { text: 'after' } }));
    await arrived;
    await new Promise((r) => setTimeout(r, 300));
    for (const chat of Object.values(chats)) await chat.logout();
    return { ...heard, refused: refused.data.friendGroup?.count };
  }, { bob, nobody: `nobody-${run}` });
  assert.equal(heard.refused, 1, 'the stranger is not in the group');
  assert.deepEqual({ a1: heard.a1.length, a2: heard.a2.length }, before, 'no event for a remark or a change that failed');
});

test('sendTypingStatus reaches the peer\'s devices as TYPING_STATUS_UPDATED, throttled, never as a message, never past a blacklist', async () => {
  const alice = `alice-typ-${run}`, bob = `bob-typ-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a1 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const heard = { a2: [], b: [] , messages: 0 };
    a2.on(DuetChat.EVENT.TYPING_STATUS_UPDATED, (e) => heard.a2.push(e.data));
    b.on(DuetChat.EVENT.TYPING_STATUS_UPDATED, (e) => heard.b.push(e.data));
    for (const chat of [a2, b]) chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, () => { heard.messages += 1; });
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    const conv = { conversationID: `C2C${bob}` };
    const first = await a1.sendTypingStatus(conv);
    for (let i = 0; i < 5; i++) await a1.sendTypingStatus(conv); // within 3 s: not sent again
    await wait(500);
    const whileTyping = heard.b.length;
    await a1.sendTypingStatus({ ...conv, typing: false });
    await wait(500);
    const stopped = heard.b.at(-1);
    await b.addToBlacklist({ userIDList: [alice] });
    await wait(3100);
    const blocked = await a1.sendTypingStatus(conv).then((r) => r.code, (e) => e.code);
    await wait(800);
    const out = {
      first: first.data, whileTyping, stopped, blocked, afterBlock: heard.b.length, a2: heard.a2.length,
      firstHeard: heard.b[0], messages: heard.messages,
      history: (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList.length,
    };
    for (const chat of [a1, a2, b]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.first, { conversationID: `C2C${bob}` });
  assert.deepEqual(got.firstHeard, { conversationID: `C2C${alice}`, userID: alice, typing: true });
  assert.equal(got.whileTyping, 1, 'six calls in a row went out once');
  assert.deepEqual(got.stopped, { conversationID: `C2C${alice}`, userID: alice, typing: false });
  assert.equal(got.blocked, 0, 'a blocked typer is not told');
  assert.equal(got.afterBlock, 2, 'and the one who blocked hears nothing');
  assert.equal(got.a2, 0, 'the typer\'s own other device shows nothing');
  assert.equal(got.messages, 0, 'no message event');
  assert.equal(got.history, 0, 'nothing stored');
});

test('reactions: add and remove reach every device of both users, stay in history, and are bounded', async () => {
  const alice = `alice-react-${run}`, bob = `bob-react-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    let a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const heard = { a: [], a2: [], b: [] };
    for (const [name, chat] of [['a', a], ['a2', a2], ['b', b]]) {
      chat.on(DuetChat.EVENT.MESSAGE_REACTIONS_UPDATED, (e) => heard[name].push(e.data));
    }
    const { until } = window;
    const list = async (chat, peer) => (await chat.getMessageList({ conversationID: `C2C${peer}` })).data.messageList;
    // Reactions name who reacted as the device knows them: its user, a profile it read, the sender.
    await a.updateMyProfile({ nick: 'Alice', avatar: 'https://example.com/alice.png' });
    await b.updateMyProfile({ nick: 'Bob', avatar: 'https://example.com/bob.png' });
    await a2.getUserProfile({ userIDList: [bob] });
    const msg = a.createTextMessage({ to: bob, payload: { text: 'we shipped it' } });
    await a.sendMessage(msg);
    await until(async () => (await list(b, alice)).length === 1);
    const onB = (await list(b, alice))[0];
    const added = await b.addMessageReaction(onB, '🎉');
    await a.addMessageReaction(msg, '🎉');
    await a.addMessageReaction(msg, '👍');
    await until(() => heard.a2.length >= 3 && heard.b.length >= 3);
    const again = await b.addMessageReaction(onB, '🎉').then(() => 0, (e) => e.code);
    const none = await b.removeMessageReaction(onB, '👍').then(() => 0, (e) => e.code);
    const tooLong = await b.addMessageReaction(onB, 'x'.repeat(65)).then(() => 0, (e) => e.code);
    let limit = 0;
    for (let i = 0; i < 19 && !limit; i++) limit = await b.addMessageReaction(onB, `r${i}`).then(() => 0, (e) => e.code);
    await a.removeMessageReaction(msg, '👍');
    await until(() => heard.b.at(-1)?.reactionList.every((r) => r.reactionID !== '👍'));
    const forB = await b.getMessageReactions({ messageList: [onB], maxUserCountPerReaction: 1 });
    const allForB = await b.getMessageReactions({ messageList: [onB] });
    // Every user of one reaction, a page at a time.
    const users = (r) => [r.data.userList.map((u) => `${u.userID}:${u.nick}`), r.data.nextSeq, r.data.isCompleted];
    const page1 = await b.getAllUserListOfMessageReaction({ message: onB, reactionID: '🎉', nextSeq: 0, count: 1 });
    const page2 = await b.getAllUserListOfMessageReaction({ message: onB, reactionID: '🎉', nextSeq: page1.data.nextSeq, count: 1 });
    const whole = await b.getAllUserListOfMessageReaction({ message: onB, reactionID: '🎉', nextSeq: 0 });
    const nobody = await b.getAllUserListOfMessageReaction({ message: onB, reactionID: '🙈', nextSeq: 0 });
    const badCount = await b.getAllUserListOfMessageReaction({ message: onB, reactionID: '🎉', nextSeq: 0, count: 101 }).then(() => 0, (e) => e.code);
    const noReaction = await b.getAllUserListOfMessageReaction({ message: onB, nextSeq: 0 }).then(() => 0, (e) => e.code);
    const pages = { page1: users(page1), page2: users(page2), whole: users(whole), nobody: users(nobody), badCount, noReaction };
    // A device that was away reads them in its history.
    await a2.logout();
    a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const back = await a2.getMessageReactions({ messageList: [(await list(a2, bob))[0]] });
    const out = {
      added: added.code, again, none, tooLong, limit,
      first: heard.a2[0],
      forB: forB.data.resultList[0],
      namedForB: allForB.data.resultList[0].reactionList[0].partialUserList,
      back: back.data.resultList[0].reactionList.map((r) => [r.reactionID, r.totalUserCount, r.reactedByMyself]),
      ID: msg.ID, pages,
    };
    for (const chat of [a, a2, b]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.equal(got.added, 0);
  assert.deepEqual(got.first, {
    messageID: got.ID, conversationID: `C2C${bob}`,
    reactionList: [{ reactionID: '🎉', totalUserCount: 1, partialUserList: [{ userID: bob, nick: 'Bob', avatar: 'https://example.com/bob.png' }], reactedByMyself: false }],
  }, 'the sender\'s other device hears the peer\'s reaction, with the profile it read');
  assert.equal(got.again, 23007);
  assert.equal(got.none, 23008);
  assert.equal(got.tooLong, 60006);
  assert.equal(got.limit, 23005, 'a message holds 20 reactions');
  const party = got.forB.reactionList[0];
  assert.deepEqual([party.reactionID, party.totalUserCount, party.partialUserList.length, party.reactedByMyself], ['🎉', 2, 1, true]);
  assert.ok(!got.forB.reactionList.some((r) => r.reactionID === '👍'), 'a removed reaction is gone');
  assert.deepEqual(new Set(got.namedForB.map((u) => `${u.userID}:${u.nick}:${u.avatar}`)), new Set([
    `${alice}:Alice:https://example.com/alice.png`, `${bob}:Bob:https://example.com/bob.png`,
  ]), 'the peer\'s device names the sender from the message and itself from its own profile');
  assert.deepEqual(got.back[0], ['🎉', 2, true], 'a device that was away has them');
  const { pages } = got;
  assert.equal(pages.page1[0].length, 1);
  assert.deepEqual([pages.page1[1], pages.page1[2]], [1, false], 'one of two: more to come from 1');
  assert.equal(pages.page2[0].length, 1);
  assert.deepEqual([pages.page2[1], pages.page2[2]], [0, true], 'the second page completes it');
  assert.deepEqual(new Set([...pages.page1[0], ...pages.page2[0]]), new Set([`${alice}:Alice`, `${bob}:Bob`]), 'each user once, named');
  assert.deepEqual(pages.whole, [[...pages.page1[0], ...pages.page2[0]], 0, true], 'up to 100 at once');
  assert.deepEqual(pages.nobody, [[], 0, true], 'a reaction no one made has no users');
  assert.equal(pages.badCount, 60006);
  assert.equal(pages.noReaction, 60006);
});

test('read receipts: asked for at creation, sent by the recipient once, heard on the sender\'s devices', async () => {
  const alice = `alice-receipt-${run}`, bob = `bob-receipt-${run}`, carol = `carol-receipt-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const [a, a2, b, c] = await window.signInAll(SDKAPPID, wsUrl, [[alice, aliceSig], [alice, aliceSig], [bob, bobSig], [carol, carolSig]]);
    const heard = { a: [], a2: [], b: [], c: [] };
    for (const [name, chat] of [['a', a], ['a2', a2], ['b', b], ['c', c]]) {
      chat.on(DuetChat.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (e) => heard[name].push(e.data));
    }
    const { until } = window;
    const list = async (chat, peer) => (await chat.getMessageList({ conversationID: `C2C${peer}` })).data.messageList;
    const info = (m) => [m.needReadReceipt, m.readReceiptInfo.isPeerRead, m.readReceiptInfo.timestamp > 0];
    const asking = a.createTextMessage({ to: bob, conversationType: DuetChat.TYPES.CONV_C2C, payload: { text: 'read me' }, needReadReceipt: true });
    const created = info(asking);
    await a.sendMessage(asking);
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'no receipt' } }));
    await c.sendMessage(c.createTextMessage({ to: bob, payload: { text: 'and mine?' }, needReadReceipt: true }));
    await until(async () => (await list(b, alice)).length === 2 && (await list(b, carol)).length === 1);
    const [askingOnB, plainOnB] = await list(b, alice);
    const [fromCarol] = await list(b, carol);
    const code = (p) => p.then(() => 0, (e) => e.code);
    const refused = {
      plain: await code(b.sendMessageReadReceipt([plainOnB])),
      own: await code(a.sendMessageReadReceipt([asking])),
      empty: await code(b.sendMessageReadReceipt([])),
    };
    // A list of two conversations, as a MESSAGE_RECEIVED event may give: each sender hears.
    const sent = await b.sendMessageReadReceipt([askingOnB, plainOnB, fromCarol]);
    await until(() => heard.a.length && heard.a2.length && heard.c.length);
    // Once: sending it again tells nobody anything new.
    const again = await b.sendMessageReadReceipt([askingOnB]);
    await b.sendMessage(b.createTextMessage({ to: alice, payload: { text: 'after' } }));
    await until(async () => (await list(a, bob)).length === 3);
    const same = await a.getMessageReadReceiptList([asking]);
    const onA = (await list(a, bob)).map(info);
    const onB = (await list(b, alice)).map(info);
    // A device that was away reads the receipt in its history.
    await a2.logout();
    await window.deleteCache(SDKAPPID, alice);
    const a3 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const back = (await list(a3, bob)).map(info);
    const out = {
      created, refused, sent: sent.code, again: again.code, heard, ID: asking.ID,
      sameObject: same.data.messageList[0] === asking, sameInfo: info(same.data.messageList[0]),
      onA, onB, back,
    };
    for (const chat of [a, a3, b, c]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  assert.deepEqual(got.created, [true, false, false], 'the created object asks, unread');
  assert.deepEqual(got.refused, { plain: 2114, own: 2114, empty: 60006 }, "Tencent's 2114 when no message asks");
  assert.equal(got.sent, 0);
  assert.equal(got.again, 0);
  for (const name of ['a', 'a2']) {
    assert.equal(got.heard[name].length, 1, `${name} hears the receipt once`);
    const [item] = got.heard[name][0];
    assert.equal(got.heard[name][0].length, 1, 'only the message that asked');
    assert.deepEqual([item.userID, item.messageID, item.conversationID, item.isPeerRead], [bob, got.ID, `C2C${bob}`, true]);
    assert.ok(item.timestamp > 1_700_000_000, 'seconds since the epoch');
  }
  assert.equal(got.heard.b.length, 0, 'the reader hears nothing');
  assert.deepEqual(got.heard.c.map((d) => d.map((r) => [r.userID, r.conversationID])), [[[bob, `C2C${bob}`]]], 'the other conversation\'s sender hears its own');
  assert.equal(got.sameObject, true, 'getMessageReadReceiptList gives the same objects back');
  assert.deepEqual(got.sameInfo, [true, true, true], 'updated with the receipt');
  assert.deepEqual(got.onA, [[true, true, true], [false, false, false], [false, false, false]]);
  assert.deepEqual(got.onB.slice(0, 2), [[true, true, true], [false, false, false]], "the reader's copy shows it sent the receipt");
  assert.deepEqual(got.back, got.onA, 'history keeps the receipt');
});

test('quiet hours: setAllReceiveMessageOpt from a local time, getAllReceiveMessageOpt, heard on every device', async () => {
  const alice = `alice-quiet-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, aliceSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const [a, a2] = await window.signInAll(SDKAPPID, wsUrl, [[alice, aliceSig], [alice, aliceSig]]);
    const heard = [];
    a2.on(DuetChat.EVENT.ALL_RECEIVE_MESSAGE_OPT_UPDATED, (e) => heard.push(e.data));
    const before = (await a.getAllReceiveMessageOpt()).data;
    const set = (await a.setAllReceiveMessageOpt({ startHour: 22, startMinute: 30, startSecond: 15, duration: 8 * 3600 })).data;
    await window.until(() => heard.length === 1);
    const onOther = (await a2.getAllReceiveMessageOpt()).data;
    const today = new Date();
    const expectedStart = Math.round(new Date(today.getFullYear(), today.getMonth(), today.getDate(), 22, 30, 15).getTime() / 1000);
    // A whole day or more, repeated: one day; once, as long as asked.
    const allDay = (await a.setAllReceiveMessageOpt({ duration: 3 * 86400 })).data;
    const once = (await a.setAllReceiveMessageOpt({ duration: 3 * 86400, isRepeated: false })).data;
    const code = (p) => p.then(() => 0, (e) => e.code);
    const refused = [
      await code(a.setAllReceiveMessageOpt({ messageRemindType: DuetChat.TYPES.MSG_REMIND_DISCARD })),
      await code(a.setAllReceiveMessageOpt({ startHour: 24 })),
      await code(a.setAllReceiveMessageOpt({ startMinute: 1.5 })),
      await code(a.setAllReceiveMessageOpt({ duration: -1 })),
      await code(a.setAllReceiveMessageOpt({ isRepeated: 'yes' })),
    ];
    const cleared = (await a.setAllReceiveMessageOpt({ messageRemindType: DuetChat.TYPES.MSG_REMIND_ACPT_AND_NOTE })).data;
    await window.until(() => heard.length === 4);
    const out = { before, set, onOther, expectedStart, allDay, once, refused, cleared, heard };
    for (const chat of [a, a2]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, aliceSig: sig(alice) });
  const none = { messageRemindType: 'AcceptAndNotify', startTime: 0, endTime: 0, isRepeated: false };
  assert.deepEqual(got.before, none, 'none set yet');
  assert.deepEqual(got.set, {
    messageRemindType: 'AcceptNotNotify', startTime: got.expectedStart, endTime: got.expectedStart + 8 * 3600, isRepeated: true,
  }, "from today's local 22:30:15, as Tencent's SDK computes it");
  assert.deepEqual(got.onOther, got.set, 'the same on the other device');
  assert.deepEqual(got.heard[0], got.set, 'which heard ALL_RECEIVE_MESSAGE_OPT_UPDATED');
  assert.equal(got.allDay.endTime - got.allDay.startTime, 86400, 'repeated: at most a day');
  assert.deepEqual([got.once.endTime - got.once.startTime, got.once.isRepeated], [3 * 86400, false]);
  assert.deepEqual(got.refused, [60006, 60006, 60006, 60006, 60006], 'nothing refused reaches the server');
  assert.deepEqual(got.cleared, none, 'MSG_REMIND_ACPT_AND_NOTE clears them');
  assert.deepEqual(got.heard.at(-1), none);
});

test('searchLocalMessages and searchCloudMessages find the same messages, paged, and bound their input', async () => {
  const alice = `alice-find-${run}`, bob = `bob-find-${run}`, carol = `carol-find-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const c = await window.signIn(SDKAPPID, wsUrl, carol, carolSig);
    const { until } = window;
    for (const [from, to, text] of [[b, alice, 'Lunch at noon?'], [a, bob, 'lunch sounds good'], [c, alice, 'LUNCH tomorrow instead'], [b, carol, 'lunch without alice'], [b, alice, 'Ужин в СЕМЬ?']]) {
      await from.sendMessage(from.createTextMessage({ to, payload: { text } }));
    }
    await a.sendMessage(a.createCustomMessage({ to: carol, payload: { data: '{}', description: 'a lunch voucher', extension: '' } }));
    const texts = (r) => r.data.searchResultList.flatMap((g) => g.messageList.map((m) => m.payload.text ?? m.payload.description));
    await until(async () => (await a.getConversationList()).data.conversationList.length === 2);
    const both = async (options) => {
      const local = await a.searchLocalMessages(options);
      const cloud = await a.searchCloudMessages(options);
      return { local: texts(local), cloud: texts(cloud), cursor: [local.data.cursor, cloud.data.cursor], groups: cloud.data.searchResultList.map((g) => [g.conversationID, g.messageCount]) };
    };
    const all = await both({ keywordList: ['lunch'] });
    const page1 = await both({ keywordList: ['lunch'], count: 2 });
    const page2 = await both({ keywordList: ['lunch'], count: 2, cursor: page1.cursor[1] });
    const withBob = await both({ keywordList: ['LUNCH'], conversationID: `C2C${bob}` });
    const customs = await both({ keywordList: ['voucher'], messageTypeList: [DuetChat.TYPES.MSG_CUSTOM] });
    const every = await both({ keywordList: ['lunch', 'noon'], keywordListMatchType: DuetChat.TYPES.KEYWORD_LIST_MATCH_TYPE_AND });
    const fromCarol = await both({ messageTypeList: [DuetChat.TYPES.MSG_TEXT], senderUserIDList: [carol] });
    const cyrillic = await both({ keywordList: ['ужин в семь'] });
    const refused = [];
    for (const options of [{}, { keywordList: ['x'.repeat(101)] }, { keywordList: ['a', 'b', 'c', 'd', 'e', 'f'] }, { keywordList: ['x'], count: 101 }, { keywordList: ['x'], messageTypeList: ['TIMNoSuchElem'] }]) {
      refused.push([
        await a.searchLocalMessages(options).then(() => 0, (e) => e.code),
        await a.searchCloudMessages(options).then(() => 0, (e) => e.code),
      ]);
    }
    // Offline, the local search still answers.
    await a.logout();
    const a2 = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const cached = texts(await a2.searchLocalMessages({ keywordList: ['lunch'] }));
    for (const chat of [a2, b, c]) await chat.logout();
    return { all, page1, page2, withBob, customs, every, fromCarol, cyrillic, refused, cached };
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  const newestFirst = ['a lunch voucher', 'LUNCH tomorrow instead', 'lunch sounds good', 'Lunch at noon?'];
  assert.deepEqual(got.all.cloud, newestFirst, 'alice\'s own, case-blind, newest first, custom descriptions too');
  assert.deepEqual(got.all.local, got.all.cloud, 'the cache finds what the server finds');
  assert.deepEqual(got.all.groups, [[`C2C${carol}`, 2], [`C2C${bob}`, 2]]);
  assert.deepEqual(got.page1.cloud, newestFirst.slice(0, 2));
  assert.deepEqual(got.page1.local, got.page1.cloud);
  assert.ok(got.page1.cursor.every((c) => c !== ''));
  assert.deepEqual(got.page2.cloud, newestFirst.slice(2));
  assert.deepEqual(got.page2.local, got.page2.cloud);
  assert.deepEqual(got.page2.cursor, ['', ''], 'the last page says so');
  assert.deepEqual(got.withBob.cloud, ['lunch sounds good', 'Lunch at noon?']);
  assert.deepEqual(got.cyrillic.cloud, ['Ужин в СЕМЬ?'], 'case-blind beyond ASCII');
  assert.deepEqual(got.cyrillic.local, got.cyrillic.cloud);
  assert.deepEqual(got.withBob.local, got.withBob.cloud);
  assert.deepEqual(got.customs.cloud, ['a lunch voucher']);
  assert.deepEqual(got.customs.local, got.customs.cloud);
  assert.deepEqual(got.every.cloud, ['Lunch at noon?']);
  assert.deepEqual(got.every.local, got.every.cloud);
  assert.deepEqual(got.fromCarol.cloud, ['LUNCH tomorrow instead']);
  assert.deepEqual(got.fromCarol.local, got.fromCarol.cloud);
  assert.deepEqual(got.refused, Array(5).fill([60006, 60006]), 'empty, long, too many keywords, a big page, an unknown type');
  assert.deepEqual(got.cached, newestFirst, 'the cache keeps answering after a new sign-in');
});

test('presence: getUserStatus and subscribeUserStatus tell online, offline and last seen, and nothing to the blocked or when hidden', async () => {
  const alice = `alice-pres-${run}`, bob = `bob-pres-${run}`, carol = `carol-pres-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, aliceSig, bobSig, carolSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    let b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const c = await window.signIn(SDKAPPID, wsUrl, carol, carolSig);
    const heard = { a: [], c: [] };
    a.on(DuetChat.EVENT.USER_STATUS_UPDATED, (e) => heard.a.push(...e.data));
    c.on(DuetChat.EVENT.USER_STATUS_UPDATED, (e) => heard.c.push(...e.data));
    const { until } = window;
    const types = (r) => r.data.successUserList.map((s) => [s.userID, s.statusType]);
    const now = types(await a.getUserStatus({ userIDList: [bob, 'nobody-here'] }));
    const subscribed = types(await a.subscribeUserStatus({ userIDList: [bob] }));
    await b.logout();
    await until(() => heard.a.length >= 1);
    const away = heard.a.at(-1);
    b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    await until(() => heard.a.length >= 2);
    const back = heard.a.at(-1);
    await b.setSelfStatusHidden(true);
    await until(() => heard.a.length >= 3);
    const hidden = [heard.a.at(-1).statusType, types(await a.getUserStatus({ userIDList: [bob] }))[0][1]];
    await b.setSelfStatusHidden(false);
    await until(() => heard.a.length >= 4);
    // Blocked by bob, carol learns nothing, not even that she is blocked.
    await b.addToBlacklist({ userIDList: [carol] });
    const blocked = types(await c.getUserStatus({ userIDList: [bob] }));
    await c.subscribeUserStatus({ userIDList: [bob] });
    await b.logout();
    await until(() => heard.a.length >= 5 && heard.c.length >= 1);
    const out = {
      now, subscribed, away: [away.userID, away.statusType, away.lastSeenTime > 0], back: [back.statusType, back.lastSeenTime],
      hidden, shown: heard.a[3].statusType, blocked, toCarol: heard.c.map((s) => s.statusType),
      unsub: (await a.unsubscribeUserStatus({ userIDList: [bob] })).code,
    };
    for (const chat of [a, c]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, carol, aliceSig: sig(alice), bobSig: sig(bob), carolSig: sig(carol) });
  const [ONLINE, OFFLINE, UNKNOWN] = [1, 2, 0];
  assert.deepEqual(got.now, [[bob, ONLINE], ['nobody-here', UNKNOWN]]);
  assert.deepEqual(got.subscribed, [[bob, ONLINE]]);
  assert.deepEqual(got.away, [bob, OFFLINE, true], 'a follower hears the user go, with when it was last seen');
  assert.deepEqual(got.back, [ONLINE, 0], 'and come back');
  assert.deepEqual(got.hidden, [UNKNOWN, UNKNOWN], 'hidden: unknown to others');
  assert.equal(got.shown, ONLINE);
  assert.deepEqual(got.blocked, [[bob, UNKNOWN]], 'the blocked user gets what a stranger to a missing user gets');
  assert.deepEqual(got.toCarol, [UNKNOWN], 'and hears no change');
  assert.equal(got.unsub, 0);
});

test('setSelfStatus: a custom status reaches followers and the user, is bounded, and goes with the last logout', async () => {
  const alice = `alice-cs-${run}`, bob = `bob-cs-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    let b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const heard = { a: [], b: [] };
    a.on(DuetChat.EVENT.USER_STATUS_UPDATED, (e) => heard.a.push(...e.data));
    b.on(DuetChat.EVENT.USER_STATUS_UPDATED, (e) => heard.b.push(...e.data));
    await a.subscribeUserStatus({ userIDList: [bob] });
    const status = '会议中 📅 "until 3"';
    const set = (await b.setSelfStatus({ customStatus: status })).data;
    await window.until(() => heard.a.length >= 1 && heard.b.length >= 1);
    const told = [heard.a[0], heard.b[0]].map((s) => [s.userID, s.customStatus]);
    const read = (await a.getUserStatus({ userIDList: [bob] })).data.successUserList[0].customStatus;
    const codeOf = (p) => p.then(() => 0, (e) => e.code);
    const tooLong = await codeOf(b.setSelfStatus({ customStatus: 'é'.repeat(51) }));
    const missing = await codeOf(b.setSelfStatus({}));
    const kept = (await a.getUserStatus({ userIDList: [bob] })).data.successUserList[0].customStatus;
    const cleared = (await b.setSelfStatus({ customStatus: '' })).data.customStatus;
    await b.setSelfStatus({ customStatus: 'back soon' });
    await window.until(() => heard.a.some((s) => s.customStatus === 'back soon'));
    await b.logout();
    await window.until(() => heard.a.at(-1).statusType === DuetChat.TYPES.USER_STATUS_OFFLINE);
    const gone = [heard.a.at(-1).statusType, heard.a.at(-1).customStatus];
    b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const after = (await b.getUserStatus({ userIDList: [bob] })).data.successUserList[0].customStatus;
    for (const chat of [a, b]) await chat.logout();
    return { set, told, read, tooLong, missing, kept, cleared, gone, after };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  const status = '会议中 📅 "until 3"';
  assert.deepEqual(got.set, { userID: bob, statusType: 1, customStatus: status, lastSeenTime: 0 });
  assert.deepEqual(got.told, [[bob, status], [bob, status]], 'the follower and bob himself hear it');
  assert.equal(got.read, status);
  assert.equal(got.tooLong, 60006, 'over 100 bytes');
  assert.equal(got.missing, 60006);
  assert.equal(got.kept, status, 'a refused change keeps the status');
  assert.equal(got.cleared, '');
  assert.deepEqual(got.gone, [2, ''], 'logging out of the last device clears it');
  assert.equal(got.after, '');
});

test('setFriendApplicationRead: applications read on one device are read on the others, newer ones are not', async () => {
  const bob = `bob-apr-${run}`, [carol, dave, erin] = ['carol', 'dave', 'erin'].map((u) => `${u}-apr-${run}`);
  const phone = await newDevice();
  await phone.page.evaluate(async ({ wsUrl, SDKAPPID, bob, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    window.b2 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    window.heard = [];
    window.b2.on(DuetChat.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (e) => window.heard.push(e.data.unreadCount));
  }, { wsUrl, SDKAPPID, bob, bobSig: sig(bob) });
  const apply = (applicant) => page.evaluate(async ({ wsUrl, SDKAPPID, bob, applicant, applicantSig }) => {
    const chat = await window.signIn(SDKAPPID, wsUrl, applicant, applicantSig);
    const { code } = (await chat.addFriend({ to: bob, wording: `hi from ${applicant}` })).data;
    await chat.logout();
    return code;
  }, { wsUrl, SDKAPPID, bob, applicant, applicantSig: sig(applicant) });
  assert.deepEqual([await apply(carol), await apply(dave)], [30539, 30539]);
  const here = await page.evaluate(async ({ wsUrl, SDKAPPID, bob, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    window.b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    window.heardHere = [];
    window.b.on(DuetChat.EVENT.FRIEND_APPLICATION_LIST_UPDATED, (e) => window.heardHere.push(e.data.unreadCount));
    const before = (await window.b.getFriendApplicationList()).data.unreadCount;
    const answer = await window.b.setFriendApplicationRead();
    await window.until(() => window.heardHere.at(-1) === 0);
    const event = window.heardHere.at(-1);
    const after = (await window.b.getFriendApplicationList()).data;
    return { before, answer: answer.data, event, after: [after.unreadCount, after.applicationList.length] };
  }, { wsUrl, SDKAPPID, bob, bobSig: sig(bob) });
  assert.equal(here.before, 2);
  assert.deepEqual(here.answer, {});
  assert.equal(here.event, 0, 'FRIEND_APPLICATION_LIST_UPDATED with nothing unread');
  assert.deepEqual(here.after, [0, 2], 'read, still listed');
  const there = await phone.page.evaluate(async () => {
    await window.until(() => window.heard.at(-1) === 0);
    return [window.heard.at(-1), (await window.b2.getFriendApplicationList()).data.unreadCount];
  });
  assert.deepEqual(there, [0, 0], 'the other device hears it, and the server agrees');
  assert.equal(await apply(erin), 30539);
  const newer = await page.evaluate(async () => {
    await window.until(() => window.heardHere.at(-1) === 1);
    const count = [window.heardHere.at(-1), (await window.b.getFriendApplicationList()).data.unreadCount];
    await window.b.logout();
    return count;
  });
  assert.deepEqual(newer, [1, 1], 'an application after the mark is unread');
  const fresh = await phone.page.evaluate(async () => {
    await window.until(() => window.heard.at(-1) === 1);
    const count = window.heard.at(-1);
    await window.b2.logout();
    return count;
  });
  await phone.close();
  assert.equal(fresh, 1);
});

test("the app's backend refuses friend requests and answers through Tencent's webhooks: the promise rejects with its code and words", async () => {
  const [alice, bob, mallory] = ['alice', 'bob', 'mallory'].map((u) => `${u}-screen-${run}`);
  // A backend written from Tencent's docs of Sns.CallbackPrevFriendAdd and
  // Sns.CallbackPrevFriendResponse: no spam wording, and mallory is banned.
  const asked = [];
  const backend = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const body = JSON.parse(raw);
      asked.push(body);
      const items = body.FriendItem ?? body.ResponseFriendItem ?? [];
      const ResultItem = items.map(({ To_Account, AddWording, ResponseAction }) => {
        if (AddWording === 'spam') return { To_Account, ResultCode: 38001, ResultInfo: 'no spam here' };
        if (To_Account === mallory && ResponseAction?.startsWith('Response_Action_Agree')) {
          return { To_Account, ResultCode: 38002, ResultInfo: 'banned' };
        }
        return { To_Account, ResultCode: 0, ResultInfo: '' };
      });
      res.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ResultItem }));
    });
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  const screened = await startServer({
    sdkAppId: SDKAPPID,
    secret: SECRET,
    env: {
      DUET_WEBHOOK_URL: `http://127.0.0.1:${backend.address().port}/im/callback`,
      DUET_WEBHOOKS: 'Sns.CallbackPrevFriendAdd,Sns.CallbackPrevFriendResponse',
    },
  });
  try {
    const got = await page.evaluate(async ({ wsUrl, SDKAPPID, users, alice, bob, mallory }) => {
      const { default: DuetChat } = await import('/pkg/index.js');
      const [a, b, m] = await window.signInAll(SDKAPPID, wsUrl, users);
      const failure = (call) => call.then((r) => ['resolved', r.data], (e) => [e.code, e.message]);
      const out = {};
      out.spam = await failure(b.addFriend({ to: alice, wording: 'spam' }));
      out.spamApplications = (await a.getFriendApplicationList()).data.applicationList.length;
      out.bob = (await b.addFriend({ to: alice, wording: 'hello' })).data.code;
      out.mallory = (await m.addFriend({ to: alice, wording: 'hello' })).data.code;
      out.accept = await failure(a.acceptFriendApplication({
        userID: mallory, type: DuetChat.TYPES.SNS_APPLICATION_AGREE_AND_ADD,
      }));
      out.refuse = await failure(a.refuseFriendApplication({ userID: bob }));
      out.left = (await a.getFriendApplicationList()).data.applicationList.map((x) => x.userID);
      out.friends = (await a.getFriendList()).data.length;
      for (const chat of [a, b, m]) await chat.logout();
      return out;
    }, { wsUrl: screened.ws, SDKAPPID, users: [alice, bob, mallory].map((u) => [u, sig(u)]), alice, bob, mallory });
    assert.deepEqual(got.spam, [38001, 'no spam here'], 'refused with the backend\'s code and words');
    assert.equal(got.spamApplications, 0, 'a refused request makes no application');
    assert.deepEqual([got.bob, got.mallory], [30539, 30539], 'let through: applications');
    assert.deepEqual(got.accept, [38002, 'banned'], 'an acceptance refused');
    assert.deepEqual(got.refuse, ['resolved', {}], 'a refusal let through');
    assert.deepEqual(got.left, [mallory], 'the refused acceptance leaves the application; the refusal took bob\'s');
    assert.equal(got.friends, 0);
    assert.deepEqual(
      asked.map((a) => [a.CallbackCommand, a.From_Account, (a.FriendItem ?? a.ResponseFriendItem).map((i) => i.ResponseAction ?? i.AddWording)]),
      [
        ['Sns.CallbackPrevFriendAdd', bob, ['spam']],
        ['Sns.CallbackPrevFriendAdd', bob, ['hello']],
        ['Sns.CallbackPrevFriendAdd', mallory, ['hello']],
        ['Sns.CallbackPrevFriendResponse', alice, ['Response_Action_AgreeAndAdd']],
        ['Sns.CallbackPrevFriendResponse', alice, ['Response_Action_Reject']],
      ],
    );
  } finally {
    await screened.stop();
    backend.close();
  }
});

test('deleteMessage removes messages from the user\'s history on every device; the peer keeps them', async () => {
  const alice = `alice-del-${run}`, bob = `bob-del-${run}`;
  const texts = (r) => r.data.messageList.map((m) => m.payload.text);
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b1 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const b2 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const conv = `C2C${alice}`;
    for (const text of ['one', 'two', 'three']) {
      await a.sendMessage(a.createTextMessage({ to: bob, payload: { text } }));
    }
    const { until } = window;
    await until(async () => (await b2.getMessageList({ conversationID: conv })).data.messageList.length === 3);
    const list = (await b1.getMessageList({ conversationID: conv })).data.messageList;
    const alien = await b1.deleteMessage([{ ...list[2], sequence: 999999999 }]).then(() => null, (e) => e.code);
    const mixed = await b1.deleteMessage([list[0], { ...list[1], conversationID: 'C2Csomeone-else' }]).then(() => null, (e) => e.code);
    const deleted = await b1.deleteMessage(list.slice(0, 2));
    await until(async () => (await b2.getMessageList({ conversationID: conv })).data.messageList.length === 1);
    const out = {
      alien, mixed, code: deleted.code,
      b1: await b1.getMessageList({ conversationID: conv }),
      b2: await b2.getMessageList({ conversationID: conv }),
      a: await a.getMessageList({ conversationID: `C2C${bob}` }),
    };
    for (const chat of [a, b1, b2]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.equal(got.alien, 20022, 'a message not of this conversation is refused');
  assert.equal(got.mixed, 60006, 'one conversation per call');
  assert.equal(got.code, 0);
  assert.deepEqual(texts(got.b1), ['three']);
  assert.deepEqual(texts(got.b2), ['three'], 'the other device of the user follows');
  assert.deepEqual(texts(got.a), ['one', 'two', 'three'], 'the peer keeps its copy');

  // A new device (its own IndexedDB) gets the history from the server: without them.
  const fresh = await newDevice();
  const again = await fresh.page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, bobSig }) => {
    const chat = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const list = await chat.getMessageList({ conversationID: `C2C${alice}` });
    const convs = await chat.getConversationList();
    await chat.logout();
    return { list, last: convs.data.conversationList[0].lastMessage.payload.text };
  }, { wsUrl, SDKAPPID, alice, bob, bobSig: sig(bob) });
  await fresh.close();
  assert.deepEqual(texts(again.list), ['three'], 'the server\'s history leaves them out');
  assert.equal(again.last, 'three');
});

test('deleteConversation takes the conversation off every device of the user until a newer message', async () => {
  const alice = `alice-dc-${run}`, bob = `bob-dc-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b1 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const b2 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const conv = `C2C${alice}`;
    const { until } = window;
    const ids = async (chat) => (await chat.getConversationList()).data.conversationList.map((c) => c.conversationID);
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'one' } }));
    await until(async () => (await ids(b2)).includes(conv));
    const deleted = await b1.deleteConversation(conv);
    await until(async () => !(await ids(b2)).includes(conv));
    const out = {
      deleted: deleted.data, b1: await ids(b1), b2: await ids(b2), unread: b2.getTotalUnreadMessageCount(),
      history: (await b1.getMessageList({ conversationID: conv })).data.messageList.length,
      a: await ids(a),
    };
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'two' } }));
    await until(async () => (await ids(b2)).includes(conv));
    out.back = await ids(b2);
    out.backHistory = (await b2.getMessageList({ conversationID: conv })).data.messageList.map((m) => m.payload.text);
    for (const chat of [a, b1, b2]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.deleted, { conversationID: `C2C${alice}` }, 'one ID given: { conversationID }, as Tencent\'s');
  assert.deepEqual(got.b1, [], 'gone on the deleting device');
  assert.deepEqual(got.b2, [], 'and on the other');
  assert.equal(got.unread, 0);
  assert.equal(got.history, 0, 'its messages went with it');
  assert.deepEqual(got.a, [`C2C${bob}`], 'the peer keeps its conversation');
  assert.deepEqual(got.back, [`C2C${alice}`], 'a newer message brings it back');
  assert.deepEqual(got.backHistory, ['two']);
});

test('clearHistoryMessage empties the conversation on every device of the user and keeps it listed', async () => {
  const alice = `alice-ch-${run}`, bob = `bob-ch-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b1 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const b2 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const conv = `C2C${alice}`;
    const listed = async (chat) => (await chat.getConversationList()).data.conversationList
      .map((c) => ({ id: c.conversationID, unread: c.unreadCount, last: c.lastMessage ? c.lastMessage.payload?.text ?? '?' : null }));
    const texts = async (chat, id) => (await chat.getMessageList({ conversationID: id })).data.messageList.map((m) => m.payload.text);
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'one' } }));
    await b1.sendMessage(b1.createTextMessage({ to: alice, payload: { text: 'two' } }));
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'three' } }));
    await window.until(async () => (await texts(b2, conv)).length === 3);
    const before = await listed(b2);
    const cleared = await b1.clearHistoryMessage(conv);
    await window.until(async () => (await texts(b2, conv)).length === 0);
    const out = {
      before, cleared: cleared.data,
      b1: await listed(b1), b2: await listed(b2), unread: b2.getTotalUnreadMessageCount(),
      b1History: await texts(b1, conv), b2History: await texts(b2, conv),
      alice: await texts(a, `C2C${bob}`),
    };
    // Tencent's SDK marks the conversation read before clearing it: the peer hears it.
    await window.until(async () => (await a.getMessageList({ conversationID: `C2C${bob}` })).data.messageList.every((m) => m.flow === 'in' || m.isPeerRead));
    out.peerRead = (await a.getMessageList({ conversationID: `C2C${bob}` })).data.messageList
      .filter((m) => m.flow === 'out').map((m) => m.isPeerRead);
    await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'four' } }));
    await window.until(async () => (await texts(b2, conv)).length === 1);
    out.after = await listed(b2);
    out.afterHistory = await texts(b2, conv);
    out.bad = await b1.clearHistoryMessage(42).then(() => null, (e) => e.code);
    out.badId = await b1.clearHistoryMessage('GROUPsomething').then(() => null, (e) => e.code);
    for (const chat of [a, b1, b2]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.before, [{ id: `C2C${alice}`, unread: 2, last: 'three' }]);
  assert.deepEqual(got.cleared, { conversationID: `C2C${alice}` });
  assert.deepEqual(got.b1, [{ id: `C2C${alice}`, unread: 0, last: null }], 'listed, empty, on the clearing device');
  assert.deepEqual(got.b2, [{ id: `C2C${alice}`, unread: 0, last: null }], 'and on the other');
  assert.equal(got.unread, 0);
  assert.deepEqual(got.b1History, []);
  assert.deepEqual(got.b2History, []);
  assert.deepEqual(got.alice, ['one', 'two', 'three'], 'the peer keeps its history');
  assert.deepEqual(got.peerRead, [true, true]);
  assert.deepEqual(got.after, [{ id: `C2C${alice}`, unread: 1, last: 'four' }], 'a newer message is its history from then on');
  assert.deepEqual(got.afterHistory, ['four']);
  assert.equal(got.bad, 60006);
  assert.equal(got.badId, 60006);

  // A browser that never held the conversation reads it from the server: empty, still listed.
  const fresh = await newDevice();
  const again = await fresh.page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, bobSig }) => {
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const list = (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList.map((m) => m.payload.text);
    const convs = (await b.getConversationList()).data.conversationList.map((c) => [c.conversationID, c.unreadCount]);
    await b.logout();
    return { list, convs };
  }, { wsUrl, SDKAPPID, alice, bob, bobSig: sig(bob) });
  await fresh.close();
  assert.deepEqual(again.list, ['four']);
  assert.deepEqual(again.convs, [[`C2C${alice}`, 1]]);
});

test('createForwardMessage sends the content of a message to another conversation', async () => {
  const alice = `alice-fw-${run}`, bob = `bob-fw-${run}`, carol = `carol-fw-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, sigs }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, sigs.alice);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, sigs.bob);
    const c = await window.signIn(SDKAPPID, wsUrl, carol, sigs.carol);
    const heard = [];
    c.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => heard.push(...data));
    const arriving = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => r(data)));
    await a.sendMessage(a.createLocationMessage({ to: bob, cloudCustomData: '{"from":"alice"}',
      payload: { description: 'Lyon', longitude: 4.8357, latitude: 45.764 } }));
    const [original] = await arriving;
    const forward = b.createForwardMessage({ to: carol, conversationType: DuetChat.TYPES.CONV_C2C, payload: original });
    const created = { to: forward.to, from: forward.from, flow: forward.flow, status: forward.status, newID: forward.ID !== original.ID };
    await b.sendMessage(forward);
    const renamed = b.createForwardMessage({ to: carol, payload: original, cloudCustomData: '{"from":"bob"}' });
    await b.sendMessage(renamed);
    await window.until(() => heard.length === 2);
    // A recalled message has nothing left to forward.
    const { data: { message: gone } } = await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'oops' } }));
    await a.revokeMessage(gone);
    const [revoked] = (await a.getMessageList({ conversationID: `C2C${bob}` })).data.messageList.filter((m) => m.isRevoked);
    const code = (f) => { try { f(); return null; } catch (e) { return e.code; } };
    const empty = code(() => a.createForwardMessage({ to: carol, payload: revoked }));
    const noPayload = code(() => a.createForwardMessage({ to: carol }));
    for (const chat of [a, b, c]) await chat.logout();
    return { created, heard: heard.map((m) => [m.from, m.type, m.payload.description, m.payload.latitude, m.cloudCustomData]),
      original: [original.payload.description, original.payload.latitude], empty, noPayload };
  }, { wsUrl, SDKAPPID, alice, bob, carol, sigs: { alice: sig(alice), bob: sig(bob), carol: sig(carol) } });
  assert.deepEqual(got.created, { to: carol, from: bob, flow: 'out', status: 'unSend', newID: true }, 'a new message of the forwarder');
  assert.deepEqual(got.heard, [
    [bob, 'TIMLocationElem', 'Lyon', 45.764, '{"from":"alice"}'],
    [bob, 'TIMLocationElem', 'Lyon', 45.764, '{"from":"bob"}'],
  ], 'the content and cloudCustomData of the original, unless given');
  assert.equal(got.empty, 2454, "Tencent's code for a message with nothing to forward");
  assert.equal(got.noPayload, 60006);
});

test('getMessageListHopping pages from a time each way, going on exactly where a page ended', async () => {
  const alice = `alice-hop-${run}`, bob = `bob-hop-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    // Sent within a second or two: pages must go on by message, not by second.
    for (let i = 0; i < 7; i++) await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: `m${i}` } }));
    const conversationID = `C2C${alice}`;
    const hop = async (options) => {
      const { data } = await b.getMessageListHopping({ conversationID, count: 3, ...options });
      return { texts: data.messageList.map((m) => m.payload.text), done: data.isCompleted, next: data.nextMessageTime,
        flows: [...new Set(data.messageList.map((m) => m.flow))] };
    };
    // Both ways in turn, as a view around a message loads them: each way goes on by itself.
    const first = (await b.getMessageList({ conversationID, count: 20 })).data.messageList[0];
    const older = [await hop({})];
    const newer = [await hop({ time: first.time, direction: 1 })];
    for (let i = 0; i < 4 && !(older.at(-1).done && newer.at(-1).done); i++) {
      if (!older.at(-1).done) older.push(await hop({ time: older.at(-1).next }));
      if (!newer.at(-1).done) newer.push(await hop({ time: newer.at(-1).next, direction: 1 }));
    }
    const bad = await b.getMessageListHopping({ conversationID, direction: 2 }).then(() => null, (e) => e.code);
    const capped = (await b.getMessageListHopping({ conversationID, count: 100 })).data.messageList.length;
    await a.logout();
    await b.logout();
    return { older, newer, bad, capped, nextType: typeof older[0].next };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.older.map((p) => p.texts), [['m4', 'm5', 'm6'], ['m1', 'm2', 'm3'], ['m0']], 'older pages, each oldest first');
  assert.deepEqual(got.older.map((p) => p.done), [false, false, true]);
  assert.equal(got.older.at(-1).next, '', "no next time once complete, as Tencent's SDK gives it");
  assert.equal(got.nextType, 'number');
  assert.deepEqual(got.older[0].flows, ['in']);
  assert.deepEqual(got.newer.map((p) => p.texts), [['m0', 'm1', 'm2'], ['m3', 'm4', 'm5'], ['m6']], 'newer pages from the first message');
  assert.deepEqual(got.newer.map((p) => p.done), [false, false, true]);
  assert.equal(got.bad, 60006);
  assert.equal(got.capped, 7, "at most 15 a page, as Tencent's SDK; all 7 here");
});

test("getServerTime gives the server's clock when this device's is an hour behind", async () => {
  const alice = `alice-clock-${run}`;
  const skewed = await newDevice();
  const got = await skewed.page.evaluate(async ({ wsUrl, SDKAPPID, alice, aliceSig }) => {
    const real = Date.now.bind(Date);
    Date.now = () => real() - 3_600_000;
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const before = real() - chat.getServerTime();
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    await chat.login({ userID: alice, userSig: aliceSig });
    await ready;
    const time = chat.getServerTime();
    await chat.logout();
    return { before, after: real() - time, type: typeof time };
  }, { wsUrl, SDKAPPID, alice, aliceSig: sig(alice) });
  await skewed.close();
  assert.equal(got.type, 'number');
  assert.ok(Math.abs(got.before - 3_600_000) < 5_000, `before signing in, this device's clock: ${got.before} ms behind`);
  assert.ok(Math.abs(got.after) < 5_000, `signed in, the server's: ${got.after} ms off`);
});

test('findMessage finds a message this instance heard of or read, as it is now', async () => {
  const alice = `alice-find-${run}`, bob = `bob-find-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const arriving = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => r(data)));
    const msg = a.createTextMessage({ to: bob, payload: { text: 'find me' } });
    await a.sendMessage(msg);
    const [received] = await arriving;
    const brief = (m) => m && [m.ID, m.flow, m.payload.text, m.status];
    const out = { sent: brief(a.findMessage(msg.ID)), received: brief(b.findMessage(received.ID)), id: msg.ID };
    const modified = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_MODIFIED, r));
    msg.payload.text = 'found';
    await a.modifyMessage(msg);
    await modified;
    out.modified = b.findMessage(received.ID).payload.text;
    out.unknown = b.findMessage('nobody-1-2');
    try { b.findMessage(42); } catch (e) { out.bad = e.code; }
    // Another instance of bob's has heard of nothing until it reads the history.
    const b2 = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    out.before = b2.findMessage(received.ID);
    await b2.getMessageList({ conversationID: `C2C${alice}` });
    out.after = brief(b2.findMessage(received.ID));
    // Deleted from bob's history, it is found on none of his instances.
    await b.deleteMessage([b.findMessage(received.ID)]);
    await window.until(() => b2.findMessage(received.ID) === null);
    out.deleted = [b.findMessage(received.ID), b2.findMessage(received.ID)];
    for (const chat of [a, b, b2]) await chat.logout();
    return out;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.deepEqual(got.sent, [got.id, 'out', 'find me', 'success'], 'the sender finds what it sent, by the ID it made');
  assert.deepEqual(got.received, [got.id, 'in', 'find me', 'success'], 'the recipient finds what it heard of');
  assert.equal(got.modified, 'found', 'as it is now');
  assert.equal(got.unknown, null);
  assert.equal(got.bad, 60006);
  assert.equal(got.before, null, 'nothing heard of yet');
  assert.deepEqual(got.after, [got.id, 'in', 'found', 'success'], 'found once read');
  assert.deepEqual(got.deleted, [null, null], 'a deleted message is found no more');
});

test('sendMessage options: onlineUserOnly reaches who is online and is kept nowhere; offlinePushInfo reaches the server', async () => {
  const alice = `alice-ol-${run}`, bob = `bob-ol-${run}`, carol = `carol-ol-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, carol, sigs }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, sigs.alice);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, sigs.bob);
    const arriving = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => r(data)));
    const typing = a.createCustomMessage({ to: bob, payload: { data: 'typing' } });
    const sent = await a.sendMessage(typing, { onlineUserOnly: true });
    const [received] = await arriving;
    await new Promise((r) => setTimeout(r, 200));
    const bobsList = (await b.getMessageList({ conversationID: `C2C${alice}` })).data.messageList;
    const alicesList = (await a.getMessageList({ conversationID: `C2C${bob}` })).data.messageList;
    const unread = b.getTotalUnreadMessageCount();
    // Carol is not online: the message is not kept for her.
    const c0 = await window.signIn(SDKAPPID, wsUrl, carol, sigs.carol);
    await c0.logout();
    await a.sendMessage(a.createTextMessage({ to: carol, payload: { text: 'now or never' } }), { onlineUserOnly: true });
    const c = await window.signIn(SDKAPPID, wsUrl, carol, sigs.carol);
    const carolsList = (await c.getMessageList({ conversationID: `C2C${alice}` })).data.messageList;
    const push = { title: 'Alice', description: 'A new message', extension: '{"k":1}', ignoreIOSBadge: true, androidOPPOChannelID: 'chat' };
    const withPush = await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'pushed' } }), { offlinePushInfo: push });
    const tooLong = await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'x' } }),
      { offlinePushInfo: { description: 'x'.repeat(1025) } }).then(() => null, (e) => ({ code: e.code, message: e.message }));
    for (const chat of [a, b, c]) await chat.logout();
    return { sent: sent.data.message, received, bobsList, alicesList, unread, carolsList, withPush: withPush.code, tooLong };
  }, { wsUrl, SDKAPPID, alice, bob, carol, sigs: { alice: sig(alice), bob: sig(bob), carol: sig(carol) } });
  assert.equal(got.sent.status, 'success');
  assert.equal(got.received.payload.data, 'typing');
  assert.equal(got.received.ID, got.sent.ID, 'one ID on both sides');
  assert.deepEqual(got.bobsList, [], 'not stored by the recipient');
  assert.deepEqual(got.alicesList, [], 'nor by the sender');
  assert.equal(got.unread, 0, 'not counted unread');
  assert.deepEqual(got.carolsList, [], 'not kept for a user who was offline');
  assert.equal(got.withPush, 0);
  assert.equal(got.tooLong.code, 60006, 'the server checks offlinePushInfo');
  assert.match(got.tooLong.message, /Desc/);
});

test('a restart of the server loses and repeats nothing; the outbox goes out after it', async () => {
  const alice = `alice4-${run}`, bob = `bob4-${run}`;
  // Two devices of bob (two tabs) and alice, all in this page.
  await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (user, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const state = { chat, received: [], modified: [], ready: 0, notReady: 0, net: [] };
      chat.on(DuetChat.EVENT.NET_STATE_CHANGE, ({ data }) => state.net.push(data.state));
      chat.on(DuetChat.EVENT.SDK_NOT_READY, () => { state.notReady += 1; });
      chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => state.received.push(...data.map((m) => m.payload.text)));
      chat.on(DuetChat.EVENT.MESSAGE_MODIFIED, ({ data }) => state.modified.push(...data.map((m) => m.payload.text)));
      const first = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, () => { state.ready += 1; r(); }));
      await chat.login({ userID: user, userSig });
      await first;
      return state;
    };
    window.t = { a: await open(alice, aliceSig), b1: await open(bob, bobSig), b2: await open(bob, bobSig) };
    await window.t.a.chat.sendMessage(window.t.a.chat.createTextMessage({ to: bob, payload: { text: 'before' } }));
    await window.t.b1.chat.sendMessage(window.t.b1.chat.createTextMessage({ to: alice, payload: { text: 'from tab 1' } }));
    // Friends, so that alice's friend list has a profile to show while the server is away.
    await window.t.b1.chat.updateMyProfile({ nick: 'Bob Four' });
    await window.t.a.chat.addFriend({ to: bob });
    await window.t.b1.chat.acceptFriendApplication({ userID: alice, type: DuetChat.TYPES.SNS_APPLICATION_AGREE_AND_ADD });
    window.t.friendsOnline = (await window.t.a.chat.getFriendList()).data;
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  await page.waitForFunction(() => window.t.b1.received.length === 1 && window.t.b2.received.length === 2);

  await server.pause();
  // As in Tencent's SDK, a dropped connection is NET_STATE_CHANGE alone: the instance stays ready.
  await page.waitForFunction(() => window.t.a.net.includes('disconnected') && window.t.b1.net.includes('disconnected'));
  assert.deepEqual(await page.evaluate(() => [window.t.a.chat.isReady(), window.t.b1.chat.isReady(), window.t.a.notReady]),
    [true, true, 0], 'offline, the instance is still ready, and no SDK_NOT_READY came');
  const offline = await page.evaluate(async (bob) => {
    const msg = window.t.a.chat.createTextMessage({ to: bob, payload: { text: 'written offline' } });
    window.t.offline = { msg, id: msg.ID };
    window.t.a.chat.sendMessage(msg).then((r) => { window.t.offline.sent = r.data.message; }, (e) => { window.t.offline.error = e.code; });
    await new Promise((r) => setTimeout(r, 300));
    const friends = (await window.t.a.chat.getFriendList()).data;
    const { conversationList, isSyncCompleted } = (await window.t.a.chat.getConversationList()).data;
    return { status: msg.status, settled: 'sent' in window.t.offline || 'error' in window.t.offline,
      cached: { conversations: conversationList.map((c) => c.conversationID), isSyncCompleted },
      friends: [window.t.friendsOnline, friends].map((list) => list.map((f) => [f.userID, f.profile.nick])) };
  }, bob);
  assert.deepEqual(offline.cached, { conversations: [`C2C${bob}`], isSyncCompleted: false },
    'offline, getConversationList answers from the cache and says it is not synced');
  delete offline.cached;
  assert.deepEqual(offline.friends, [[[bob, 'Bob Four']], [[bob, 'Bob Four']]],
    'offline, the friend list shows the profiles this browser holds');
  delete offline.friends;
  assert.deepEqual(offline, { status: 'unSend', settled: false }, 'offline: the send waits in the outbox');
  await server.resume();
  await page.waitForFunction(() => [window.t.a, window.t.b1, window.t.b2]
    .every((t) => t.net.lastIndexOf('connected') > t.net.indexOf('disconnected')), null, { timeout: 60000 });
  await page.waitForFunction(() => window.t.b1.received.includes('written offline'), null, { timeout: 20000 })
    .catch(async (e) => { console.error(JSON.stringify(await page.evaluate(() => ({ a: window.t.a, b1: window.t.b1 })))); throw e; });
  await page.waitForFunction(() => window.t.offline.sent || window.t.offline.error);
  const got = await page.evaluate(() => ({
    b1: window.t.b1.received, b2: window.t.b2.received, a: window.t.a.received, modified: window.t.a.modified,
    net: window.t.a.net, ready: [window.t.a.ready, window.t.b1.ready, window.t.b2.ready],
    offline: { same: window.t.offline.sent === window.t.offline.msg, status: window.t.offline.msg.status, error: window.t.offline.error },
  }));
  const dropped = got.net.indexOf('disconnected');
  assert.ok(dropped >= 0 && got.net.indexOf('connecting', dropped) > dropped
    && got.net.lastIndexOf('connected') > got.net.indexOf('connecting', dropped),
  `NET_STATE_CHANGE goes disconnected, connecting, connected: ${got.net}`);
  assert.deepEqual(got.ready, [1, 1, 1], 'SDK_READY comes once a sign-in, not again after a reconnect');
  assert.deepEqual(got.b1, ['before', 'written offline'], 'each message once, in order');
  assert.deepEqual(got.b2, ['before', 'from tab 1', 'written offline'], 'the other tab sees its sibling\'s send');
  assert.deepEqual(got.a, ['from tab 1']);
  assert.deepEqual(got.offline, { same: true, status: 'success', error: undefined },
    'the offline send resolves once the outbox delivers it, with the app\'s own object, now sent');
  assert.deepEqual(got.modified, [], 'MESSAGE_MODIFIED is for changed messages, not for a send');
});

test('after a reload, history shows from the cache without asking the server', async () => {
  const alice = `alice5-${run}`, bob = `bob5-${run}`;
  const script = async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig, send }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (user, userSig) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID: user, userSig });
      await ready;
      return chat;
    };
    if (send) {
      const b = await open(bob, bobSig);
      const a = await open(alice, aliceSig);
      for (let i = 0; i < 5; i++) await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: `h${i}` } }));
      await new Promise((r) => setTimeout(r, 200));
      await a.logout();
      await b.logout();
      return null;
    }
    const b = await open(bob, bobSig);
    const { data } = await b.getMessageList({ conversationID: `C2C${alice}`, count: 5 });
    await b.logout();
    return data.messageList.map((m) => m.payload.text);
  };
  const args = { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) };
  await page.evaluate(script, { ...args, send: true });
  await page.reload();
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
  const texts = await page.evaluate(script, { ...args, send: false });
  assert.deepEqual(texts, ['h0', 'h1', 'h2', 'h3', 'h4']);
  assert.ok(sent.some((f) => f.includes('"type":"login"')), 'the WebSocket frames were observed');
  assert.ok(!sent.some((f) => f.includes('"type":"history"')), 'no history request: the page came from IndexedDB');
});

test('coordinates and escaped text arrive exactly, live and from the cache after a reload', async () => {
  const alice = `alice-exact-${run}`, bob = `bob-exact-${run}`;
  const payloads = [
    { description: 'Tour "Eiffel"\n😀', longitude: 2.2944813, latitude: 48.858370123456789 },
    { description: '', longitude: -179.99999999999997, latitude: -1e-7 },
    { text: 'quote " backslash \\ tab \t line\u2028sep é 中 😀 \u0001' },
  ];
  const args = { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob), payloads };
  const live = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig, payloads }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const heard = [];
    const all = new Promise((r) => b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => {
      heard.push(...data.map((m) => m.payload));
      if (heard.length === payloads.length) r();
    }));
    for (const payload of payloads) {
      const msg = 'text' in payload
        ? a.createTextMessage({ to: bob, payload })
        : a.createLocationMessage({ to: bob, payload });
      await a.sendMessage(msg);
    }
    await all;
    await a.logout();
    await b.logout();
    return heard;
  }, args);
  assert.deepEqual(live, args.payloads, 'received live, decoded from the server\'s frames');
  await page.reload();
  const cached = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, bobSig }) => {
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const { data } = await b.getMessageList({ conversationID: `C2C${alice}` });
    await b.logout();
    return data.messageList.map((m) => m.payload);
  }, args);
  assert.deepEqual(cached, args.payloads, 'read back from IndexedDB');
});

test('messages that overflowed the offline cache come back through getMessageList', async () => {
  const alice = `alice6-${run}`, bob = `bob6-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = async (user, userSig, log) => {
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      if (log) chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => log.push(...data));
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID: user, userSig });
      await ready;
      return chat;
    };
    await (await open(bob, bobSig)).logout();
    const a = await open(alice, aliceSig);
    const filler = 'x'.repeat(200);
    // About 60 KB: twice the server's default 30 KB offline cache.
    for (let i = 0; i < 250; i++) {
      await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: `${String(i).padStart(3, '0')} ${filler}` } }));
    }
    await a.logout();
    const synced = [];
    const b = await open(bob, bobSig, synced);
    const all = [];
    let nextReqMessageID, isCompleted = false, pages = 0;
    while (!isCompleted && pages < 50) {
      const { data } = await b.getMessageList({ conversationID: `C2C${alice}`, count: 30, nextReqMessageID });
      all.unshift(...data.messageList.map((m) => m.payload.text.slice(0, 3)));
      ({ nextReqMessageID, isCompleted } = data);
      pages += 1;
    }
    const convs = await b.getConversationList();
    await b.logout();
    return { synced: synced.length, all, unread: convs.data.conversationList[0].unreadCount };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.ok(got.synced > 0 && got.synced < 250, `the offline cache held part of them (${got.synced})`);
  assert.deepEqual(got.all, Array.from({ length: 250 }, (_, i) => String(i).padStart(3, '0')), 'every message once, in order');
  assert.equal(got.unread, 250, "the server's unread count covers them all");
});

/** A REST call as the app's backend makes it; asserts success. */
async function rest(command, body) {
  const url = `${server.base}/v4/${command}?sdkappid=${SDKAPPID}&identifier=administrator`
    + `&usersig=${sig('administrator')}&random=1&contenttype=json`;
  const reply = await (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json();
  assert.equal(reply.ErrorCode, 0, JSON.stringify(reply));
  return reply;
}

/** One conversation's history on the server, oldest first: [{ id, text }]. */
async function serverHistory(owner, peer) {
  const all = [];
  let maxTime = Math.floor(Date.now() / 1000) + 60;
  let lastKey;
  for (;;) {
    const body = { Operator_Account: owner, Peer_Account: peer, MaxCnt: 200, MinTime: 0, MaxTime: maxTime, LastMsgKey: lastKey };
    const reply = await rest('openim/admin_getroammsg', body);
    all.unshift(...reply.MsgList.map((m) => ({ id: Number(m.MsgKey.split('_')[0]), text: m.MsgBody[0].MsgContent.Text })));
    if (reply.Complete === 1) return all;
    maxTime = reply.LastMsgTime;
    lastKey = reply.LastMsgKey;
  }
}

/** The keys of a user's cached messages, read from its IndexedDB database in the page. */
const cachedKeys = (user) => page.evaluate(({ name }) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const keys = db.transaction('messages').objectStore('messages').getAllKeys();
    keys.onerror = () => reject(keys.error);
    keys.onsuccess = () => { db.close(); resolve(keys.result); };
  };
}), { name: `duet-${SDKAPPID}-${user}` });

test('after server crashes mid-send and reconnects, every cache holds exactly the server\'s history', async () => {
  const alice = `alice7-${run}`, bob = `bob7-${run}`;
  await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const open = (user, userSig) => window.signIn(SDKAPPID, wsUrl, user, userSig);
    window.c = { a: await open(alice, aliceSig), b1: await open(bob, bobSig), b2: await open(bob, bobSig) };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });

  const rounds = 3, perRound = 15;
  for (let round = 0; round < rounds; round++) {
    // Both sides write at once; the server is killed while sends are in flight.
    await page.evaluate(({ alice, bob, round, perRound }) => {
      for (let i = 0; i < perRound; i++) {
        const { a, b1 } = window.c;
        a.sendMessage(a.createTextMessage({ to: bob, payload: { text: `a${round}.${i}` } })).catch(() => {});
        b1.sendMessage(b1.createTextMessage({ to: alice, payload: { text: `b${round}.${i}` } })).catch(() => {});
      }
    }, { alice, bob, round, perRound });
    await new Promise((r) => setTimeout(r, 20 * round));
    await server.crash();
    await server.resume();
  }

  // The outboxes deliver everything once the clients are back.
  const expected = rounds * perRound * 2;
  let history = [];
  for (let waited = 0; history.length < expected; waited += 250) {
    assert.ok(waited < 60000, `the server has ${history.length} of ${expected} messages`);
    await new Promise((r) => setTimeout(r, 250));
    history = await serverHistory(bob, alice);
  }
  const texts = history.map((m) => m.text);
  assert.equal(new Set(texts).size, expected, 'no message is stored twice');
  assert.deepEqual(await serverHistory(alice, bob), history, 'both sides have one history');

  // Each user's IndexedDB (bob's tabs share one) holds exactly those messages: no gap, no extra.
  const cached = async (user, peer) => (await cachedKeys(user))
    .filter((k) => k.startsWith(`${peer}|`)).map((k) => Number(k.split('|')[1]));
  const ids = history.map((m) => m.id);
  for (const [user, peer] of [[alice, bob], [bob, alice]]) {
    let got = [];
    for (let waited = 0; got.length < ids.length && waited < 20000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      got = await cached(user, peer);
    }
    assert.deepEqual(got, ids, `${user}'s cache holds the server's history exactly`);
  }
  await page.evaluate(async () => {
    for (const chat of Object.values(window.c)) await chat.logout();
  });
});


test('a deleted account is kicked out for good, its data leaves the device, and its old UserSig no longer signs in', async () => {
  const carol = `carol8-${run}`, erin = `erin8-${run}`, dave = `dave8-${run}`;
  const carolSig = sig(carol), erinSig = sig(erin);
  await page.evaluate(async ({ wsUrl, SDKAPPID, carol, carolSig, erin, erinSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const open = (user, userSig) => window.signIn(SDKAPPID, wsUrl, user, userSig);
    window.k = { kicked: [], states: [], received: 0 };
    window.k.carol = await open(carol, carolSig);
    window.k.carol.on(DuetChat.EVENT.KICKED_OUT, ({ data }) => window.k.kicked.push(data.type));
    window.k.carol.on(DuetChat.EVENT.NET_STATE_CHANGE, ({ data }) => window.k.states.push(data.state));
    window.k.erin = await open(erin, erinSig);
    for (const chat of [window.k.carol, window.k.erin]) {
      chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => { window.k.received += data.length; });
    }
  }, { wsUrl, SDKAPPID, carol, carolSig, erin, erinSig });
  await rest('im_open_login_svc/account_import', { UserID: dave });
  for (const to of [carol, erin]) {
    await rest('openim/sendmsg', { From_Account: dave, To_Account: to, MsgRandom: 1, SyncOtherMachine: 2,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `secret for ${to}` } }] });
  }
  await page.waitForFunction(() => window.k.received === 2);
  assert.equal((await cachedKeys(carol)).length, 1);
  // Erin's device is away when her account is deleted; carol's is online.
  await page.evaluate(() => window.k.erin.logout());
  await rest('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: carol }, { UserID: erin }] });
  await page.waitForFunction(() => window.k.kicked.length === 1);
  const kickedAt = await page.evaluate(() => window.k.states.length);
  await new Promise((r) => setTimeout(r, 3000));
  const after = await page.evaluate(() => ({ kicked: window.k.kicked, states: window.k.states }));
  assert.deepEqual(after.kicked, ['REST_API_Kick']);
  assert.equal(await page.evaluate(async () => (await import('/pkg/index.js')).default.TYPES.KICKED_OUT_REST_API), 'REST_API_Kick');
  assert.ok(!after.states.slice(kickedAt).includes('connected'), `no reconnect: ${after.states}`);
  assert.deepEqual(await cachedKeys(carol), [], 'the online device forgot the deleted account');
  const relogin = await page.evaluate(async ({ wsUrl, SDKAPPID, erin, oldSig, newSig, dave }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const refused = await chat.login({ userID: erin, userSig: oldSig }).then(() => 0, (e) => e.code);
    const again = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const ready = new Promise((r) => again.on(DuetChat.EVENT.SDK_READY, r));
    await again.login({ userID: erin, userSig: newSig });
    await ready;
    const list = await again.getMessageList({ conversationID: `C2C${dave}` });
    await again.logout();
    return { refused, shown: list.data.messageList.length };
  }, { wsUrl, SDKAPPID, erin, oldSig: erinSig, newSig: signer.genUserSig(erin, 7200), dave });
  assert.equal(relogin.refused, 60014, 'a UserSig from before the deletion is refused');
  assert.equal(relogin.shown, 0, 'the new account sees nothing of the old one, here or on the server');
  assert.deepEqual(await cachedKeys(erin), [], 'the away device dropped the old account\'s cache');
});

/** Member names of the declarations in index.d.ts: `EVENT`, `TYPES` and the `Chat` interface. */
function declared() {
  const file = ts.createSourceFile('index.d.ts', readFileSync('sdk-wasm/pkg/index.d.ts', 'utf8'), ts.ScriptTarget.Latest);
  const found = {};
  const names = (members) => members.map((m) => m.name.getText(file)).sort();
  for (const node of file.statements) {
    if (ts.isVariableStatement(node)) {
      for (const d of node.declarationList.declarations) found[d.name.getText(file)] = names(d.type.members);
    } else if (ts.isClassDeclaration(node) && node.name?.text === 'Chat') {
      found.Chat = [...new Set(names(node.members.filter((m) => !ts.isConstructorDeclaration(m))))];
    }
  }
  return found;
}

test('wrong arguments reject with 60006 naming the field, and leave the instance usable', async () => {
  const alice = `args-a-${run}`, bob = `args-b-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, aliceSig, bob, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    await (await window.signIn(SDKAPPID, wsUrl, bob, bobSig)).logout();
    const failure = (f) => Promise.resolve().then(f).then(() => null, (e) => ({ code: e.code, message: e.message }));
    const noServer = await failure(() => new Chat({ SDKAppID: SDKAPPID }));
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const noSig = await failure(() => chat.login({ userID: alice }));
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    await chat.login({ userID: alice, userSig: aliceSig });
    await ready;
    const result = {
      noServer,
      noSig,
      noText: await failure(() => chat.createTextMessage({ to: bob, payload: { data: 'x' } })),
      noTo: await failure(() => chat.createFaceMessage({ payload: { index: 1 } })),
      badIndex: await failure(() => chat.createFaceMessage({ to: bob, payload: { index: 'one' } })),
      badCount: await failure(() => chat.getMessageList({ conversationID: `C2C${bob}`, count: 'ten' })),
      noConversation: await failure(() => chat.setMessageRead({})),
      noPin: await failure(() => chat.pinConversation({ conversationID: `C2C${bob}` })),
      badUser: await failure(() => chat.getUserProfile({ userIDList: [''] })),
      noName: await failure(() => chat.createFriendGroup({ userIDList: [bob] })),
      notAMessage: await failure(() => chat.revokeMessage({ ID: 'nope' })),
      notAnObject: await failure(() => chat.getMessageList('C2Cbob')),
      badVendor: await failure(() => chat.registerPush({ vendor: 'carrier-pigeon', token: 't' })),
      badPush: await failure(() => chat.sendMessage(
        chat.createTextMessage({ to: bob, payload: { text: 'x' } }), { offlinePushInfo: { disablePush: 'yes' } })),
    };
    const msg = chat.createLocationMessage({ to: bob, payload: { description: 'here', longitude: 2.35, latitude: 48.85 } });
    result.sent = (await chat.sendMessage(msg, { onlineUserOnly: false })).data.message.payload;
    await chat.logout();
    return result;
  }, { wsUrl, SDKAPPID, alice, aliceSig: sig(alice), bob, bobSig: sig(bob) });
  const expect = {
    noServer: /^options\.server is missing$/,
    noSig: /^login options\.userSig is missing$/,
    noText: /^payload\.text is missing$/,
    noTo: /^options\.to is missing$/,
    badIndex: /^payload\.index must be a whole number/,
    badCount: /^options\.count must be a whole number from 0 to 4294967295$/,
    noConversation: /^options\.conversationID is missing$/,
    noPin: /^options\.isPinned is missing$/,
    badUser: /user/i,
    noName: /^options\.name is missing$/,
    notAMessage: /^message\.conversationID is missing$/,
    notAnObject: /^options: expected an object$/,
    badVendor: /^options\.vendor "carrier-pigeon": use one of webpush, apns/,
    badPush: /^offlinePushInfo\.disablePush must be true or false$/,
  };
  for (const [call, pattern] of Object.entries(expect)) {
    assert.equal(got[call]?.code, 60006, `${call}: ${JSON.stringify(got[call])}`);
    assert.match(got[call].message, pattern, call);
  }
  assert.deepEqual(got.sent, { description: 'here', longitude: 2.35, latitude: 48.85 });
});

test('every event, constant and method the package has is declared in index.d.ts, and no more', async () => {
  const runtime = await page.evaluate(async () => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    // wasm-bindgen's own members of every exported class, and the one export the methods that
    // take arguments go through: not part of the API.
    const internal = new Set(['constructor', 'free', '__destroy_into_raw', '__call']);
    return {
      EVENT: Object.keys(DuetChat.EVENT).sort(),
      TYPES: Object.keys(DuetChat.TYPES).sort(),
      Chat: Object.getOwnPropertyNames(Chat.prototype).filter((n) => !internal.has(n)).sort(),
    };
  });
  const types = declared();
  assert.deepEqual(types.EVENT, runtime.EVENT);
  assert.deepEqual(types.TYPES, runtime.TYPES);
  assert.deepEqual(types.Chat, runtime.Chat);
});

test('installed from `npm pack` into a Vite project, the package builds with Vite\'s defaults and chats', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'duet-vite-'));
  const alice = `alice9-${run}`, bob = `bob9-${run}`;
  try {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: 'sdk-wasm/pkg' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title><script type="module" src="/main.js"></script>');
    // The app as an app developer writes it: the package's default export, nothing configured.
    writeFileSync(join(dir, 'main.js'), `import DuetChat, { Chat } from 'duet-chat';
// create() gives one instance per SDKAppID, as Tencent's: a second user in the page needs its own.
window.chatAs = async (SDKAppID, server, userID, userSig) => {
  const shared = DuetChat.create({ SDKAppID, server });
  const chat = shared.getLoginUser() ? new Chat({ SDKAppID, server }) : shared;
  const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
  await chat.login({ userID, userSig });
  await ready;
  return chat;
};`);
    execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', `./${tarball}`], { cwd: dir });
    execFileSync(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: dir });
    const app = await serveDir(join(dir, 'dist'));
    const tab = await browser.newPage();
    try {
      await tab.goto(app.url);
      await tab.waitForFunction(() => typeof window.chatAs === 'function');
      const got = await tab.evaluate(async ({ SDKAPPID, wsUrl, alice, bob, aliceSig, bobSig }) => {
        const b = await window.chatAs(SDKAPPID, wsUrl, bob, bobSig);
        const a = await window.chatAs(SDKAPPID, wsUrl, alice, aliceSig);
        const arrived = new Promise((r) => b.on('onMessageReceived', ({ data }) => r(data[0].payload.text)));
        await a.sendMessage(a.createTextMessage({ to: bob, payload: { text: 'built with Vite' } }));
        const text = await arrived;
        await a.logout();
        await b.logout();
        return text;
      }, { SDKAPPID, wsUrl, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
      assert.equal(got, 'built with Vite');
    } finally {
      await tab.close();
      app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when another tab deletes the cache, ERROR says so once, calls fail saying why, and a reload loses nothing', async () => {
  const alice = `alice-gone-${run}`, bob = `bob-gone-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, alice, bob, aliceSig, bobSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const a = await window.signIn(SDKAPPID, wsUrl, alice, aliceSig);
    const b = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const errors = [];
    b.on(DuetChat.EVENT.ERROR, ({ data }) => errors.push(data));
    const shown = [];
    b.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => shown.push(...data.map((m) => m.payload.text)));
    const typing = new Promise((r) => b.on(DuetChat.EVENT.TYPING_STATUS_UPDATED, r));
    // As another tab would (a newer version of the app upgrading it is the same to this one):
    // this waits for bob's open connection, which gives way.
    await window.deleteCache(SDKAPPID, bob);
    const conv = { conversationID: `C2C${bob}` };
    for (const text of ['one', 'two']) await a.sendMessage(a.createTextMessage({ to: bob, payload: { text } }));
    // Typing is never stored, and bob reads frames in order: once he hears it, both messages
    // have been handled.
    await a.sendTypingStatus(conv);
    await typing;
    const list = await b.getMessageList({ conversationID: `C2C${alice}` }).then(() => 'resolved', (e) => e);
    await b.logout();
    const again = await window.signIn(SDKAPPID, wsUrl, bob, bobSig);
    const after = await again.getMessageList({ conversationID: `C2C${alice}` });
    await again.logout();
    await a.logout();
    return { errors, shown, list: { code: list.code, message: list.message }, after: after.data.messageList.map((m) => m.payload.text) };
  }, { wsUrl, SDKAPPID, alice, bob, aliceSig: sig(alice), bobSig: sig(bob) });
  assert.equal(got.errors.length, 1, `ERROR once: ${JSON.stringify(got.errors)}`);
  assert.equal(got.errors[0].code, 61002);
  assert.match(got.errors[0].message, /another tab .* reload the page/);
  assert.deepEqual(got.shown, [], 'what could not be stored is not shown as stored');
  assert.equal(got.list.code, 61002);
  assert.match(got.list.message, /reload the page/);
  assert.deepEqual(got.after, ['one', 'two'], 'after the reload both messages are there, once each');
});

test('a sign-in after a newer version of the app upgraded the cache fails with 61002, saying to reload', async () => {
  const carol = `carol-newer-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, carol, userSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    await new Promise((resolve, reject) => {
      const request = indexedDB.open(`duet-${SDKAPPID}-${carol}`, 1000);
      request.onsuccess = () => resolve(request.result.close());
      request.onerror = () => reject(request.error);
    });
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    return chat.login({ userID: carol, userSig }).then(() => 'resolved', (e) => ({ code: e.code, message: e.message }));
  }, { wsUrl, SDKAPPID, carol, userSig: sig(carol) });
  assert.equal(got.code, 61002, JSON.stringify(got));
  assert.match(got.message, /newer version of this app.*reload the page/);
});

test('a session whose UserSig expires is kicked out with userSigExpired and does not reconnect', async () => {
  const frank = `frank10-${run}`;
  const got = await page.evaluate(async ({ wsUrl, SDKAPPID, frank, userSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    const kicked = new Promise((r) => chat.on(DuetChat.EVENT.KICKED_OUT, ({ data }) => r(data.type)));
    const states = [];
    chat.on(DuetChat.EVENT.NET_STATE_CHANGE, ({ data }) => states.push(data.state));
    await chat.login({ userID: frank, userSig });
    const type = await kicked;
    await new Promise((r) => setTimeout(r, 1500));
    return { type, expected: DuetChat.TYPES.KICKED_OUT_USERSIG_EXPIRED, states };
  }, { wsUrl, SDKAPPID, frank, userSig: signer.genUserSig(frank, 2) });
  assert.equal(got.type, got.expected);
  assert.equal(got.type, 'userSigExpired');
  assert.ok(!got.states.slice(got.states.indexOf('disconnected')).includes('connecting'), `${got.states}`);
});

test('a UserSig that expires while the server is away ends the sign-in when the SDK reconnects: KICKED_OUT, SDK_NOT_READY', async () => {
  const fay = `fay10-${run}`;
  await page.evaluate(async ({ wsUrl, SDKAPPID, fay, userSig }) => {
    const { default: DuetChat, Chat } = await import('/pkg/index.js');
    const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
    window.fay = { chat, events: [] };
    for (const name of ['KICKED_OUT', 'SDK_NOT_READY', 'NET_STATE_CHANGE', 'ERROR']) {
      chat.on(DuetChat.EVENT[name], ({ data }) => window.fay.events.push(data?.type ?? data?.state ?? data?.code ?? name));
    }
    const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
    await chat.login({ userID: fay, userSig });
    await ready;
  }, { wsUrl, SDKAPPID, fay, userSig: signer.genUserSig(fay, 5) });
  await server.pause();
  await page.waitForFunction(() => window.fay.events.includes('disconnected'));
  const whileAway = await page.evaluate(() => window.fay.chat.isReady());
  await new Promise((r) => setTimeout(r, 6000));
  await server.resume();
  await page.waitForFunction(() => window.fay.events.includes('userSigExpired'), null, { timeout: 60000 });
  await new Promise((r) => setTimeout(r, 1500));
  const got = await page.evaluate(() => ({
    events: window.fay.events.filter((e) => e !== 'connecting'), ready: window.fay.chat.isReady(), user: window.fay.chat.getLoginUser(),
  }));
  assert.equal(whileAway, true, 'away, the instance is still ready');
  assert.deepEqual(got, { events: ['connected', 'disconnected', 'userSigExpired', 'SDK_NOT_READY'], ready: false, user: '' },
    'the refused reconnect is the kick the server would have made, and the SDK stops there');
});

test('with one device per user, a second sign-in kicks the first out with multipleDevice', async () => {
  const single = await startServer({ sdkAppId: SDKAPPID, secret: SECRET, env: { DUET_MAX_DEVICES: '1' } });
  try {
    const gina = `gina-${run}`;
    const got = await page.evaluate(async ({ wsUrl, SDKAPPID, gina, userSig }) => {
      const { default: DuetChat, Chat } = await import('/pkg/index.js');
      const first = await window.signIn(SDKAPPID, wsUrl, gina, userSig);
      const kicked = new Promise((r) => first.on(DuetChat.EVENT.KICKED_OUT, ({ data }) => r(data.type)));
      const states = [];
      first.on(DuetChat.EVENT.NET_STATE_CHANGE, ({ data }) => states.push(data.state));
      const order = [];
      first.on(DuetChat.EVENT.KICKED_OUT, () => order.push('KICKED_OUT'));
      first.on(DuetChat.EVENT.SDK_NOT_READY, () => order.push('SDK_NOT_READY'));
      const second = await window.signIn(SDKAPPID, wsUrl, gina, userSig);
      const type = await kicked;
      await new Promise((r) => setTimeout(r, 1500));
      const out = { type, expected: DuetChat.TYPES.KICKED_OUT_MULT_DEVICE, states, firstReady: first.isReady(), secondReady: second.isReady(), order };
      // A logout ends the sign-in too: SDK_NOT_READY, as Tencent's, then isReady() is false.
      second.on(DuetChat.EVENT.SDK_NOT_READY, () => order.push('logout: SDK_NOT_READY'));
      await second.logout();
      out.afterLogout = second.isReady();
      return out;
    }, { wsUrl: single.ws, SDKAPPID, gina, userSig: sig(gina) });
    assert.equal(got.type, got.expected);
    assert.equal(got.type, 'multipleDevice');
    assert.equal(got.firstReady, false, 'the first instance stays signed out');
    assert.ok(!got.states.includes('connecting'), `it does not reconnect: ${got.states}`);
    assert.equal(got.secondReady, true);
    assert.deepEqual(got.order, ['KICKED_OUT', 'SDK_NOT_READY', 'logout: SDK_NOT_READY'],
      'SDK_NOT_READY follows KICKED_OUT and a logout, as in Tencent\'s SDK');
    assert.equal(got.afterLogout, false);
  } finally {
    await single.stop();
  }
});

test('registerPush() without a token subscribes the browser itself, and says in 61008 why it cannot', async () => {
  const jo = `jo-${run}`;
  const attempt = async (grant, serviceWorkerPath) => {
    const context = await browser.newContext();
    if (grant) await context.grantPermissions(['notifications'], { origin: pages.url.replace(/\/$/, '') });
    const tab = await context.newPage();
    await tab.goto(pages.url);
    const got = await tab.evaluate(async ({ wsUrl, SDKAPPID, jo, userSig, serviceWorkerPath }) => {
      const { default: DuetChat, Chat } = await import('/pkg/index.js');
      const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
      const signedOut = await chat.registerPush().then(() => null, (e) => e.code);
      const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
      await chat.login({ userID: jo, userSig });
      await ready;
      const failed = await chat.registerPush({ serviceWorkerPath }).then(() => null, (e) => ({ code: e.code, message: e.message }));
      await chat.logout();
      return { signedOut, failed };
    }, { wsUrl, SDKAPPID, jo, userSig: sig(jo), serviceWorkerPath });
    await context.close();
    return got;
  };
  const denied = await attempt(false, '/sw.js');
  assert.notEqual(denied.signedOut, null, 'signed out: refused');
  assert.equal(denied.failed.code, 61008);
  assert.match(denied.failed.message, /blocked/);
  const noWorker = await attempt(true, '/no-such-worker.js');
  assert.equal(noWorker.failed.code, 61008);
  assert.match(noWorker.failed.message, /service worker did not start/);
});

test('registerPush: a device that left without logging out gets a Web Push for a message while away, unless muted', async () => {
  const { createServer } = await import('node:http');
  const received = [];
  const push = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url, headers: req.headers, bytes: Buffer.concat(chunks).length });
      res.writeHead(201).end();
    });
  });
  await new Promise((r) => push.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${push.address().port}/push/hana`;
  try {
    const hana = `hana-${run}`, ivan = `ivan-${run}`;
    const { publicKey } = await (await fetch(`${server.base}/duet/push/vapid`)).json();
    // A subscription as a browser makes one: a P-256 public key and a 16-byte auth secret.
    const { generateKeyPairSync, randomBytes } = await import('node:crypto');
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    const subscription = { endpoint, keys: { p256dh: point.toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    // Hana's tab: does `act`, then goes away without logging out.
    const inHanasTab = async (act) => {
      const context = await browser.newContext();
      const away = await context.newPage();
      await away.goto(pages.url);
      const got = await away.evaluate(async ({ wsUrl, SDKAPPID, hana, ivan, userSig, subscription, act }) => {
        const { default: DuetChat, Chat } = await import('/pkg/index.js');
        const chat = new Chat({ SDKAppID: SDKAPPID, server: wsUrl });
        const ready = new Promise((r) => chat.on(DuetChat.EVENT.SDK_READY, r));
        await chat.login({ userID: hana, userSig });
        await ready;
        const remind = (type) => chat.setMessageRemindType({ userIDList: [ivan], messageRemindType: DuetChat.TYPES[type] });
        if (act === 'register') {
          const bad = await chat.registerPush({ token: { endpoint: 'ftp://x', keys: {} } }).then(() => null, (e) => e.code);
          const ok = await chat.registerPush({ token: subscription });
          const muted = await remind('MSG_REMIND_ACPT_NOT_NOTE');
          const discard = await remind('MSG_REMIND_DISCARD').then(() => null, (e) => e.code);
          return { bad, ok: ok.code, muted: muted.data.successUserIDList, discard };
        }
        // This fresh device learns the muted list from the server once synced.
        const remindType = async () => (await chat.getConversationList()).data.conversationList
          .find((c) => c.conversationID === `C2C${ivan}`)?.messageRemindType;
        for (let i = 0; i < 40 && (await remindType()) !== DuetChat.TYPES.MSG_REMIND_ACPT_NOT_NOTE; i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const before = await remindType();
        const unmuted = (await remind('MSG_REMIND_ACPT_AND_NOTE')).data.successUserIDList;
        return { before, unmuted, after: await remindType() };
      }, { wsUrl, SDKAPPID, hana, ivan, userSig: sig(hana), subscription, act });
      await context.close(); // the tab is gone; no logout
      await new Promise((r) => setTimeout(r, 300));
      return got;
    };
    const ivanSends = (text) => page.evaluate(async ({ wsUrl, SDKAPPID, ivan, hana, userSig, text }) => {
      const chat = await window.signIn(SDKAPPID, wsUrl, ivan, userSig);
      await chat.sendMessage(chat.createTextMessage({ to: hana, payload: { text } }));
      await chat.logout();
    }, { wsUrl, SDKAPPID, ivan, hana, userSig: sig(ivan), text });
    await page.evaluate(async ({ wsUrl, SDKAPPID, ivan, userSig }) => {
      await (await window.signIn(SDKAPPID, wsUrl, ivan, userSig)).logout(); // ivan's account
    }, { wsUrl, SDKAPPID, ivan, userSig: sig(ivan) });
    assert.deepEqual(await inHanasTab('register'), { bad: 60006, ok: 0, muted: [{ userID: ivan }], discard: 60006 });
    await ivanSends('while muted');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(received.length, 0, 'a muted conversation is not pushed');
    assert.deepEqual(await inHanasTab('unmute'), { before: 'AcceptNotNotify', unmuted: [{ userID: ivan }], after: 'AcceptAndNotify' },
      'conversations carry their messageRemindType');
    await ivanSends('while you were away');
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1, 'one push');
    const [got] = received;
    assert.equal(got.url, '/push/hana');
    assert.equal(got.headers['content-encoding'], 'aes128gcm');
    assert.ok(got.headers.authorization.startsWith('vapid t=') && got.headers.authorization.endsWith(`k=${publicKey}`));
    assert.ok(got.bytes > 86, 'an encrypted body (header, key and tag included)');
  } finally {
    push.close();
  }
});
