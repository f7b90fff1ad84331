// Duet's service worker: shows the offline push notifications the server sends (docs/push.md)
// and opens the chat when one is clicked.
self.addEventListener('push', (event) => {
  const note = event.data ? event.data.json() : { title: 'Duet', body: 'New message' };
  event.waitUntil(self.registration.showNotification(note.title, {
    body: note.body,
    tag: note.conversationID, // one notification per conversation, replaced by the newest
    data: note,
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const peer = (event.notification.data?.conversationID ?? '').replace(/^C2C/, '');
  const url = new URL(peer ? `/?open=${encodeURIComponent(peer)}` : '/', self.location.origin).href;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const page = open.find((c) => new URL(c.url).origin === self.location.origin);
    if (page) {
      // The page open already shows the chat (demo-app's sdk.rs listens for this).
      if (peer) page.postMessage({ open: peer });
      await page.focus();
    } else {
      await self.clients.openWindow(url);
    }
  })());
});
