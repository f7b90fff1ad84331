// duet-chat: the package entry. Loads the WebAssembly module once (top-level await), then
// offers the Tencent-style API: `DuetChat.create(options)`, `DuetChat.EVENT`, `DuetChat.TYPES`.
import init, { Chat, constants } from './duet_chat.js';

await init({ module_or_path: new URL('./duet_chat_bg.wasm', import.meta.url) });

const { EVENT, TYPES } = constants();

/** Creates an SDK instance: `{ SDKAppID, server }`, `server` being e.g. `ws://127.0.0.1:8080`. */
async function create(options) {
  return new Chat(options);
}

const DuetChat = Object.freeze({ create, EVENT, TYPES });

export default DuetChat;
export { Chat, EVENT, TYPES, create };
