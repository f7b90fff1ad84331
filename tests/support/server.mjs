// Starts a real duet-server for the Node tests: a free port, a throwaway data dir, the given
// app identity. Resolves { addr, base, ws, pause(), crash(), resume(), stop() }.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.DUET_SERVER_BIN ?? 'target/debug/duet-server';

export async function startServer({ sdkAppId, secret, args = [], env = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'duet-test-'));
  let child;
  const launch = (listen) => {
    child = spawn(BIN, ['--listen', listen, '--data-dir', join(dataDir, 'data'), ...args], {
      env: { ...process.env, DUET_SDKAPPID: String(sdkAppId), DUET_SECRET_KEY: secret, RUST_LOG: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = child;
    return new Promise((resolve, reject) => {
      let out = '';
      started.stdout.on('data', (c) => {
        out += c;
        const m = out.match(/Duet server on http:\/\/(\S+)/);
        if (m) resolve(m[1]);
      });
      started.on('exit', (code) => reject(new Error(`duet-server exited with ${code}`)));
    });
  };
  const stopChild = (signal = 'SIGTERM') => new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', r);
    child.kill(signal);
  });
  const addr = await launch('127.0.0.1:0');
  return {
    addr,
    base: `http://${addr}`,
    ws: `ws://${addr}`,
    /** Stops the server gracefully, keeping its data. */
    pause: () => stopChild(),
    /** Kills the server with SIGKILL: no shutdown, no flush. */
    crash: () => stopChild('SIGKILL'),
    /** Starts it again on the same address and data. */
    resume: () => launch(addr),
    async stop() {
      await stopChild();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
