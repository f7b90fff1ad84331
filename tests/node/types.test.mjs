// The package's TypeScript declarations, checked the way an app would meet them: typed usage
// written as Tencent's documentation writes it must compile under `tsc --strict`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('Tencent-style typed usage compiles against index.d.ts under tsc --strict', () => {
  const tsc = spawnSync('node_modules/.bin/tsc', ['-p', 'tests/types'], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
});
