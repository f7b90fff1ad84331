// Chooses the order of a wasm module's function bodies so that it compresses better. Deflate
// (gzip, as web servers send the module) finds repeats only in the last 32 KB it has read, and
// the compiler places functions by where they came from, not by what they look like: placed
// next to the ones they resemble (monomorphs of one generic, drop glue, serde's visitors),
// functions compress against each other.
//
//   node scripts/order-wasm-functions.mjs <in.wasm> <out.wasm>
//
// Writes the module with a name section whose function names sort in the chosen order; then
// `wasm-opt --reorder-functions-by-name --strip-debug` moves the bodies (binaryen renumbers
// every call, table entry and export) and drops the names. The order is chosen greedily: after
// each function comes, among the few (the pool) not yet placed that share the most 4-byte
// sequences with it (estimated by MinHash), the one deflate writes in the fewest bytes per byte
// with the last 32 KB placed, deflate's whole window, as its dictionary. Deterministic: the same
// module gives the same order.
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

/** The candidate pool sizes tried; which compresses best varies with the module, by up to
 * 0.5 KB gzipped, so each is tried and the best order kept. */
const POOL_SIZES = [24, 32, 48, 64];
/** Deflate's window: what it can still refer back to. */
const WINDOW = 32768;
/** MinHash entries per signature: more estimate the share more closely. */
const HASHES = 256;

const [input, output] = process.argv.slice(2);
const wasm = readFileSync(input);

/** The module's sections, the number of imported functions and the function bodies. */
function parse(bytes) {
  let at = 8;
  const uleb = () => {
    let value = 0;
    let scale = 1;
    let byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  const limits = () => {
    const flags = uleb();
    uleb();
    if (flags & 1) uleb();
  };
  const sections = [];
  const bodies = [];
  let importedFunctions = 0;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const end = uleb() + at;
    sections.push({ id, start, end, payload: at });
    if (id === 2) {
      for (let count = uleb(); count > 0; count--) {
        const skip = () => {
          const length = uleb();
          at += length;
        };
        skip(); // module
        skip(); // field
        const kind = bytes[at++];
        if (kind === 0) {
          uleb();
          importedFunctions++;
        } else if (kind === 1) {
          at++;
          limits();
        } else if (kind === 2) {
          limits();
        } else if (kind === 3) {
          at += 2;
        } else {
          throw new Error(`${input}: import of unknown kind ${kind}`);
        }
      }
    } else if (id === 10) {
      for (let count = uleb(); count > 0; count--) {
        const size = uleb();
        bodies.push(bytes.subarray(at, at + size));
        at += size;
      }
    }
    at = end;
  }
  if (bodies.length === 0) throw new Error(`${input}: no function bodies`);
  return { sections, bodies, importedFunctions };
}

/** A MinHash signature of the body's 4-byte sequences: two bodies share about as many of
 * their sequences as their signatures share entries. */
function signature(body) {
  const mins = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i + 4 <= body.length; i++) {
    const shingle = body.readUInt32LE(i);
    for (let k = 0; k < HASHES; k++) {
      let h = Math.imul(shingle ^ Math.imul(k + 1, 0x9e3779b1), 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0;
      if (h < mins[k]) mins[k] = h;
    }
  }
  return mins;
}

/** The greedy order with `poolSize` candidates for each place (see the top of this file). */
function order(bodies, signatures, poolSize) {
  const shared = (a, b) => {
    let n = 0;
    for (let k = 0; k < HASHES; k++) if (signatures[a][k] === signatures[b][k]) n++;
    return n;
  };
  const placed = new Uint8Array(bodies.length);
  const chosen = [0];
  placed[0] = 1;
  let recent = Buffer.from(bodies[0]);
  while (chosen.length < bodies.length) {
    const last = chosen[chosen.length - 1];
    const pool = []; // [shared, index], most shared first
    for (let j = 0; j < bodies.length; j++) {
      if (placed[j]) continue;
      const s = shared(last, j);
      if (pool.length === poolSize && s <= pool[poolSize - 1][0]) continue;
      pool.push([s, j]);
      pool.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      if (pool.length > poolSize) pool.pop();
    }
    let best = -1;
    let bestCost = Infinity;
    for (const [, j] of pool) {
      const cost = deflateRawSync(bodies[j], { level: 9, dictionary: recent }).length / bodies[j].length;
      if (cost < bestCost) {
        bestCost = cost;
        best = j;
      }
    }
    placed[best] = 1;
    chosen.push(best);
    recent = Buffer.concat([recent, bodies[best]]);
    if (recent.length > WINDOW) recent = recent.subarray(recent.length - WINDOW);
  }
  return chosen;
}

/** Of the orders [`order`] gives for each pool size, the one whose bodies deflate smallest. */
function bestOrder(bodies) {
  const signatures = bodies.map(signature);
  let best;
  for (const poolSize of POOL_SIZES) {
    const chosen = order(bodies, signatures, poolSize);
    const size = deflateRawSync(Buffer.concat(chosen.map((i) => bodies[i])), { level: 9 }).length;
    if (!best || size < best.size) best = { chosen, size };
  }
  return best.chosen;
}

const uleb = (value) => {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
};
const name = (text) => {
  const bytes = Buffer.from(text);
  return [...uleb(bytes.length), ...bytes];
};

const { sections, bodies, importedFunctions } = parse(wasm);
const rank = new Array(bodies.length);
bestOrder(bodies).forEach((body, i) => {
  rank[body] = i;
});
const width = String(bodies.length).length;
const names = [...uleb(importedFunctions + bodies.length)];
for (let i = 0; i < importedFunctions; i++) names.push(...uleb(i), ...name(`i${i}`));
for (let i = 0; i < bodies.length; i++) {
  names.push(...uleb(importedFunctions + i), ...name(`f${String(rank[i]).padStart(width, '0')}`));
}
const content = [...name('name'), 1, ...uleb(names.length), ...names];
const isNames = (s) => s.id === 0 && wasm.subarray(s.payload, s.payload + 5).equals(Buffer.from([4, ...Buffer.from('name')]));
writeFileSync(
  output,
  Buffer.concat([
    wasm.subarray(0, 8),
    ...sections.filter((s) => !isNames(s)).map((s) => wasm.subarray(s.start, s.end)),
    Buffer.from([0, ...uleb(content.length), ...content]),
  ]),
);
