// Writes a Brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy beside each file named,
// which duet-server sends instead of the file to browsers that accept them. Prints each
// file's sizes.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

for (const path of process.argv.slice(2)) {
  const bytes = readFileSync(path);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  console.log(`${path}: ${bytes.length} bytes, ${br.length} Brotli, ${gz.length} gzip`);
}
