import { Option, type Command } from 'commander';
import { initBackend, type BackendInfo, type BackendName } from '@terramae/tensors';
import type { CliContext } from '../context';

/** Backend names `--backend` accepts. */
export const BACKEND_CHOICES: readonly BackendName[] = ['auto', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

/** The backend flags of a command. */
export interface BackendFlags {
  readonly backend: BackendName;
  readonly gpu?: boolean;
}

/** Add `--backend` and `--gpu` to a command that computes. */
export function addBackendOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--backend <name>', 'TF.js backend: auto picks tfjs-node-gpu, tfjs-node, wasm, then cpu')
        .choices(BACKEND_CHOICES as string[])
        .default('auto'),
    )
    .option('--gpu', 'require a GPU (with --backend auto or tensorflow: tfjs-node-gpu and a CUDA device); fail instead of running on the CPU');
}

/**
 * Start the backend the flags ask for and announce it on standard error. A GPU that was asked for
 * and is not there is an error (`BackendUnavailableError`), never a silent CPU run.
 */
export async function startBackend(flags: BackendFlags, ctx: CliContext): Promise<BackendInfo> {
  return initBackend({ backend: flags.backend, ...(flags.gpu ? { gpu: true } : {}), log: (line) => ctx.io.err(line) });
}
