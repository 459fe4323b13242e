import { EXIT_CODES } from './errors';
import { run } from './run';

// The `terramae` executable. The first Ctrl-C (SIGINT) or SIGTERM asks a running pretraining (or fine-tuning) to finish
// its step and save a checkpoint; another one a second later, or a Ctrl-C while nothing can stop
// cleanly, quits at once. (Duplicates within a second are ignored: a terminal signals the whole
// process group, and wrappers such as npm or tsx may relay the same Ctrl-C again.)
const controller = new AbortController();
let interruptible = false;
let abortedAt = 0;
function onSignal(signal: NodeJS.Signals): void {
  if (interruptible && !controller.signal.aborted) {
    process.stderr.write(`\nterramae: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}; finishing this step and saving a checkpoint (Ctrl-C again to quit at once)\n`);
    abortedAt = Date.now();
    controller.abort();
    return;
  }
  if (controller.signal.aborted && Date.now() - abortedAt < 1000) return;
  process.exit(EXIT_CODES.interrupted);
}
process.on('SIGINT', onSignal);
// npm and process managers stop scripts with SIGTERM: stop as cleanly as on Ctrl-C
process.on('SIGTERM', onSignal);

run(process.argv.slice(2), { signal: controller.signal, onInterruptible: (on) => (interruptible = on) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`terramae: ${String(error)}\n`);
    process.exitCode = EXIT_CODES.failure;
  },
);
