// Preload that turns the native kernels on for any terramae command, e.g. the parity runner:
//   npx tsx --conditions=@terramae/source --import ./tools/bench/src/with-accel.ts tools/parity/src/cli.ts
// Kernel registrations are global per backend name, so they hold whichever backend the command selects.
import '@tensorflow/tfjs-backend-wasm';
import { enableAccel } from '@terramae/accel';

const status = await enableAccel();
if (!status.enabled) process.exitCode = 3;
