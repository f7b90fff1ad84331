// The browser's WebSocket for the SDK's connection (`src/websocket.rs`), which decides where it
// connects and what goes over it.

/**
 * Opens a WebSocket to `url`. Its `opened` promise settles once it is open, and fails when it
 * closes first or is not open after `timeoutMs`. Each text frame goes to `onFrame(text)`, which
 * answers false when the socket is to be closed; `onFrame()` is called once when the socket
 * closes by itself.
 */
export function open(url, timeoutMs, onFrame) {
  const ws = new WebSocket(url);
  ws.opened = new Promise((resolve, reject) => {
    const timer = setTimeout(() => ws.close(), timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.onclose = () => {
      clearTimeout(timer);
      reject(new Error(`no connection to ${url}`));
      onFrame();
    };
  });
  ws.onmessage = (event) => {
    if (typeof event.data === 'string' && !onFrame(event.data)) close(ws);
  };
  return ws;
}

/** Closes `ws`; its callbacks are not called again. */
export function close(ws) {
  ws.onopen = ws.onclose = ws.onmessage = null;
  ws.close();
}
