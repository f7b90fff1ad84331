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

/**
 * Creates an SDK instance: `{ SDKAppID, server }`, `server` being e.g. `ws://127.0.0.1:8080`
 * (or Tencent's `proxyServer`). It returns the instance itself, as Tencent's `create` does;
 * `await` on it is harmless.
 */
function create(options) {
  return new Chat(options);
}

const DuetChat = Object.freeze({ create, EVENT, TYPES });

export default DuetChat;
export { Chat, EVENT, TYPES, create };
