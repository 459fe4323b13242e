import { EXIT_CODES } from './errors';
import { run } from './run';

// The `terramae` executable. The first Ctrl-C asks a running pretraining (or fine-tuning) to finish
// its step and save a checkpoint; a second one, or a Ctrl-C while nothing can stop cleanly, quits.
const controller = new AbortController();
let interruptible = false;
process.on('SIGINT', () => {
  if (interruptible && !controller.signal.aborted) {
    process.stderr.write('\nterramae: interrupted; finishing this step and saving a checkpoint (Ctrl-C again to quit at once)\n');
    controller.abort();
    return;
  }
  process.exit(EXIT_CODES.interrupted);
});

run(process.argv.slice(2), { signal: controller.signal, onInterruptible: (on) => (interruptible = on) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`terramae: ${String(error)}\n`);
    process.exitCode = EXIT_CODES.failure;
  },
);
