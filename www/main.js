// Starts the demo client (demo-app, built into /app by scripts/build-demo.sh).
import init from './app/app.js';

init().catch((e) => {
  document.body.textContent = `Duet could not start: ${e}`;
});
