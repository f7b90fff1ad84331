// IndexedDB for the SDK's browser cache (`src/cache/indexeddb.rs`): a few storage primitives,
// each one transaction. Which stores exist, what is kept under which key and what is read back
// are decided there; this file only stores. Every function returns a promise that fails with
// the browser's error, also for what IndexedDB throws at once (a missing store, a closing
// database), which an `async` function turns into a rejection.

/** Settles with a request's result, or fails with its error. */
const settled = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** The range between optional bounds (`undefined` leaves that side open-ended). */
const range = (lower, lowerOpen, upper, upperOpen) =>
  lower === undefined
    ? upper === undefined
      ? undefined
      : IDBKeyRange.upperBound(upper, upperOpen)
    : upper === undefined
      ? IDBKeyRange.lowerBound(lower, lowerOpen)
      : IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen);

/** Connections closed because another tab upgraded or deleted their database. */
const gaveWay = new WeakSet();

/** A transaction on `db`; on a connection that gave way, an error that says what to do. */
function transaction(db, stores, mode) {
  if (gaveWay.has(db)) {
    const error = new Error('another tab of this app upgraded or deleted the local cache; reload the page to use it again');
    error.name = 'CacheClosedError';
    throw error;
  }
  return db.transaction(stores, mode);
}

/**
 * Opens database `name` at version `versions.length`; an older one is upgraded in place by
 * creating the stores of every version above its own (`versions[n - 1]` lists version n's).
 * The connection gives way when another tab opens a newer version or deletes the database,
 * which wait until every connection is closed: it closes, and its later requests fail. A
 * database a newer version of the app has upgraded cannot be opened here: the error says so.
 */
export async function open(name, versions) {
  const request = indexedDB.open(name, versions.length);
  request.onupgradeneeded = (event) => {
    for (let v = event.oldVersion; v < versions.length; v++) {
      for (const store of versions[v]) request.result.createObjectStore(store);
    }
  };
  const db = await settled(request).catch((error) => {
    if (error?.name !== 'VersionError') throw error;
    const newer = new Error('a newer version of this app, in another tab, upgraded the local cache; reload the page to use it');
    newer.name = 'CacheVersionError';
    throw newer;
  });
  db.onversionchange = () => {
    db.close();
    gaveWay.add(db);
  };
  return db;
}

/** Deletes database `name`; the browser finishes once its open connections are closed. */
export async function remove(name) {
  return settled(indexedDB.deleteDatabase(name));
}

/** The value under `key`, or `undefined`. */
export async function get(db, store, key) {
  return settled(transaction(db, store).objectStore(store).get(key));
}

/** The values of a key range in key order, at most `limit` of them when it is given. */
export async function getAll(db, store, lower, lowerOpen, upper, upperOpen, limit) {
  const query = range(lower, lowerOpen, upper, upperOpen);
  return settled(transaction(db, store).objectStore(store).getAll(query, limit));
}

/** Up to `count` values from `lower` to `upper`, the greatest key first. */
export async function last(db, store, lower, upper, upperOpen, count) {
  const values = [];
  const query = range(lower, false, upper, upperOpen);
  const request = transaction(db, store).objectStore(store).openCursor(query, 'prev');
  return new Promise((resolve, reject) => {
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor && values.length < count) {
        values.push(cursor.value);
        if (values.length < count) return cursor.continue();
      }
      resolve(values);
    };
  });
}

/**
 * Applies `ops` in one read-write transaction over `stores`, all or nothing, and settles when
 * it has committed. `ops` is flat, four entries per operation: kind, store, key, value. Kinds:
 * `clear` (the store), `put`, `delete`, and `raise`: put unless the stored value is a number at
 * least as great (read and written in the same transaction, which no other tab can split).
 */
export async function write(db, stores, ops) {
  const tx = transaction(db, stores, 'readwrite');
  try {
    for (let i = 0; i < ops.length; i += 4) {
      const kind = ops[i];
      const store = tx.objectStore(ops[i + 1]);
      const key = ops[i + 2];
      const value = ops[i + 3];
      if (kind === 'clear') store.clear();
      else if (kind === 'put') store.put(value, key);
      else if (kind === 'delete') store.delete(key);
      else if (kind === 'raise') {
        const current = store.get(key);
        current.onsuccess = () => {
          if (current.result === undefined || BigInt(current.result) < BigInt(value)) store.put(value, key);
        };
      } else throw new Error(`unknown storage operation ${kind}`);
    }
  } catch (error) {
    tx.abort();
    throw error;
  }
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
  });
}
