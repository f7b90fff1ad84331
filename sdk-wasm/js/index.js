// duet-chat: the package entry. Loads the WebAssembly module once (top-level await), then
// offers the Tencent-style API: `DuetChat.create(options)`, `DuetChat.EVENT`, `DuetChat.TYPES`.
import init, { Chat, calls, constants } from './duet_chat.js';

await init({ module_or_path: new URL('./duet_chat_bg.wasm', import.meta.url) });

const { EVENT, TYPES } = constants();

// The methods that take arguments, all through one export of the module (src/js/calls.rs):
// here each gets its name.
calls().forEach((name, index) => {
  Object.defineProperty(Chat.prototype, name, {
    value: function (a, b) {
      return this.__call(index, a, b);
    },
    writable: true,
    configurable: true,
  });
});

// As Tencent's `create`: the instance itself, the same for an SDKAppID until `destroy()`
// (index.d.ts says more).
const instances = new Map();

function create(options) {
  const id = Number(options?.SDKAppID);
  let chat = instances.get(id);
  if (!chat) {
    chat = new Chat(options);
    instances.set(id, chat);
    chat.on(EVENT.SDK_DESTROY, () => instances.delete(id));
  }
  return chat;
}

const DuetChat = Object.freeze({ create, EVENT, TYPES });

export default DuetChat;
export { Chat, EVENT, TYPES, create };
