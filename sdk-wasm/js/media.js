// The browser's side of media messages (`src/upload.rs`): an upload with progress, and what a
// `<video>` or `<audio>` element reads from a file. Which file goes where, the limits and the
// errors the app sees are decided there; these functions only drive the browser.

/**
 * POSTs `blob` to `url` with `headers` (flat: name, value, …), calling `progress` with whole
 * percents. `done` settles with `[status, responseText]`, status 0 when the request did not
 * reach the server or was aborted; `abort()` stops it.
 */
export function post(url, headers, blob, progress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve) => {
    xhr.onloadend = () => resolve([xhr.status, xhr.status ? xhr.responseText : '']);
  });
  xhr.open('POST', url);
  for (let i = 0; i < headers.length; i += 2) xhr.setRequestHeader(headers[i], headers[i + 1]);
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable && e.total > 0) progress(Math.floor((e.loaded / e.total) * 100));
  };
  xhr.send(blob);
  return { done, abort: () => xhr.abort() };
}

/** Settles when `el` fires `name`, fails when it fires `error`. */
const once = (el, name) =>
  new Promise((resolve, reject) => {
    const settle = (ok) => () => {
      el.removeEventListener(name, onOk);
      el.removeEventListener('error', onError);
      if (ok) resolve();
      else reject(new Error('the browser cannot read this media file'));
    };
    const onOk = settle(true);
    const onError = settle(false);
    el.addEventListener(name, onOk);
    el.addEventListener('error', onError);
  });

/**
 * The duration of the media element's file, once `ready` has fired. Recordings made in the
 * browser (WebM) report an infinite duration until played through; seeking far past the end
 * makes the browser find the real one. NaN when it cannot be found.
 */
async function duration(el) {
  if (!Number.isFinite(el.duration)) {
    try {
      el.currentTime = 1e101;
      await once(el, 'seeked');
      el.currentTime = 0;
      await once(el, 'seeked');
    } catch {
      return NaN;
    }
  }
  return Number.isFinite(el.duration) ? el.duration : NaN;
}

/** Loads `blob` into a muted `<tag>`, runs `read` on it once `ready` fires, and lets it go. */
async function probe(tag, blob, ready, read) {
  const el = document.createElement(tag);
  const url = URL.createObjectURL(blob);
  try {
    el.muted = true;
    el.preload = 'auto';
    el.src = url;
    await once(el, ready);
    return await read(el);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The duration in seconds of an audio file, NaN when it cannot be read. */
export function audioDuration(blob) {
  return probe('audio', blob, 'loadedmetadata', duration);
}

/** A video's duration in seconds and a JPEG of an early frame, its cover: `[seconds, blob]`. */
export function videoCover(blob) {
  return probe('video', blob, 'loadeddata', async (el) => {
    const length = await duration(el);
    if (Number.isNaN(length)) throw new Error("cannot read the video's duration");
    el.currentTime = Math.min(0.1, length / 2);
    await once(el, 'seeked');
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(el.videoWidth, 1);
    canvas.height = Math.max(el.videoHeight, 1);
    canvas.getContext('2d').drawImage(el, 0, 0);
    const cover = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg'));
    if (!cover) throw new Error('cannot make a cover image');
    return [length, cover];
  });
}
