// Web Push in the browser (`src/webpush.rs`, which decides the order of the steps and the
// errors the app sees): each function is one of the browser's steps, as a promise.

/** Asks for permission to show notifications: `granted`, `denied` or `default`. */
export async function askPermission() {
  return Notification.requestPermission();
}

/** Registers the service worker at `path`, which shows the notifications. */
export async function register(path) {
  return navigator.serviceWorker.register(path);
}

/** The `publicKey` of the JSON at `url`, or undefined when it holds none. */
export async function publicKey(url) {
  const response = await fetch(url);
  const body = await response.json().catch(() => undefined);
  return typeof body?.publicKey === 'string' ? body.publicKey : undefined;
}

/** Subscribes `registration` to push with the server's VAPID `key`; the subscription as JSON. */
export async function subscribe(registration, key) {
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key,
  });
  return JSON.stringify(subscription);
}
