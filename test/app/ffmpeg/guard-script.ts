/**
 * Run by child-guard.test.ts under vite-node as a stand-in server: starts a guarded child,
 * prints its pid, then dies the way argv[2] says (uncaught exception, or waits to be SIGKILLed).
 */
import { spawnGuarded } from '../../../src/app/ffmpeg/child-guard.js';

const child = spawnGuarded('sleep', ['60'], { stdio: 'ignore' });
process.stdout.write(`${child.pid}\n`);
if (process.argv[2] === 'throw') {
  setTimeout(() => {
    throw new Error('stand-in server crashed');
  }, 100);
} else {
  setInterval(() => undefined, 1000);
}
