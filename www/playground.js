// A minimal page on the duet-chat package: sign in with a UserSig, send text, see messages.
// Messages are shown with textContent only: their text is never interpreted as HTML.
import DuetChat from './sdk/index.js';

const $ = (id) => document.getElementById(id);
const status = (text) => { $('status').textContent = text; };
const { SDKAppID, devUserSig } = await (await fetch('/duet/config')).json();
if (devUserSig) {
  // Development server: it signs UserSigs itself, so the field may stay empty.
  $('signin').elements.sig.required = false;
  $('signin').elements.sig.placeholder = 'leave empty: the development server signs one';
}

async function userSigFor(user, given) {
  if (given || !devUserSig) return given;
  const r = await fetch('/duet/dev/usersig', { method: 'POST', body: JSON.stringify({ userID: user }) });
  const body = await r.json();
  if (!r.ok) throw Object.assign(new Error(body.error), { code: r.status });
  return body.userSig;
}
const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
let chat;

function show(message) {
  const li = document.createElement('li');
  li.className = message.flow;
  li.textContent = `${message.from}: ${message.payload.text ?? `[${message.type}]`}`;
  $('log').append(li);
}

$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  chat = await DuetChat.create({ SDKAppID, server });
  chat.on(DuetChat.EVENT.MESSAGE_RECEIVED, ({ data }) => data.forEach(show));
  chat.on(DuetChat.EVENT.SDK_READY, () => status(`Signed in as ${form.get('user')}`));
  chat.on(DuetChat.EVENT.SDK_NOT_READY, () => status('Reconnecting…'));
  chat.on(DuetChat.EVENT.KICKED_OUT, () => status('Signed in elsewhere'));
  try {
    status('Signing in…');
    const userSig = await userSigFor(form.get('user'), form.get('sig'));
    await chat.login({ userID: form.get('user'), userSig });
    $('signin').hidden = true;
    $('chat').hidden = false;
  } catch (err) {
    status(`Sign-in failed (${err.code}): ${err.message}`);
  }
});

$('compose').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  try {
    const msg = chat.createTextMessage({ to: form.get('peer'), payload: { text: form.get('text') } });
    const { data } = await chat.sendMessage(msg);
    show(data.message);
    e.target.elements.text.value = '';
  } catch (err) {
    status(`Not sent (${err.code}): ${err.message}`);
  }
});

$('signout').addEventListener('click', async () => {
  await chat.logout();
  $('chat').hidden = true;
  $('signin').hidden = false;
  status('Signed out');
});

status(`SDK loaded (SDKAppID ${SDKAppID}). Sign in with a UserSig from your backend.`);
