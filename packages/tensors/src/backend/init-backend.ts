import * as tf from '@tensorflow/tfjs';
import { shareWasmBuffers } from './wasm-buffer-sharing';
import { BackendUnavailableError } from './errors';

/** Backends terramae can run on. `auto` picks the fastest one installed. */
export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Which backend to use. Default `auto`: tfjs-node-gpu, tfjs-node, wasm, then cpu. */
  readonly backend?: BackendName;
  /**
   * With `tensorflow`: require a CUDA GPU (tfjs-node-gpu with a visible device). A request that
   * cannot be met throws {@link BackendUnavailableError}; it never silently falls back to CPU.
   */
  readonly gpu?: boolean;
  /** Where the one-line "backend: …" announcement goes. Default `console.error`; `null` silences it. */
  readonly log?: ((line: string) => void) | null;
}

/** What {@link initBackend} selected. */
export interface BackendInfo {
  /** The tfjs backend name now active (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  readonly name: string;
  /** The npm package that provides it. */
  readonly package: string;
  /** Device description (GPU name where one is used). */
  readonly device: string;
  /** Whether kernels run on a GPU. */
  readonly gpu: boolean;
}

const TFJS_NODE_GPU_HELP = [
  'Install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0`. It needs Linux x86-64, an NVIDIA',
  'driver >= 450, CUDA 11.2 and cuDNN 8.1 on the library path (TensorFlow 2.9.1 inside).',
  'Its install script downloads libtensorflow; offline, point TFJS_NODE_BASE_URI at a mirror holding',
  'libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz (see docs/guides/backends.md).',
].join(' ');

/** A dynamic import that never lets the bundler resolve the specifier at build time. */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function tryTensorflow(gpu: boolean | 'prefer'): Promise<BackendInfo | string> {
  const candidates = gpu === false ? ['@tensorflow/tfjs-node'] : ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const failures: string[] = [];
  for (const pkg of gpu === true ? ['@tensorflow/tfjs-node-gpu'] : candidates) {
    try {
      await importOptional(pkg);
    } catch (error) {
      failures.push(isModuleNotFound(error) ? `${pkg} is not installed` : `${pkg} failed to load: ${String(error)}`);
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      failures.push(`${pkg} loaded but the 'tensorflow' backend did not start`);
      continue;
    }
    const isGpu = pkg.endsWith('-gpu') && tensorflowSeesGpu();
    if (gpu === true && !isGpu) {
      throw new BackendUnavailableError(
        `A GPU was requested, but ${pkg} sees no CUDA device. Check \`nvidia-smi\`, the CUDA 11.2 / cuDNN 8.1 ` +
          'libraries on LD_LIBRARY_PATH, and CUDA_VISIBLE_DEVICES.',
      );
    }
    return { name: 'tensorflow', package: pkg, device: isGpu ? 'CUDA GPU (libtensorflow 2.9.1)' : 'CPU (libtensorflow)', gpu: isGpu };
  }
  return failures.join('; ');
}

/** libtensorflow logs its devices but tfjs-node exposes no API for them; a tiny probe is the honest check. */
function tensorflowSeesGpu(): boolean {
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: string }; isGPUPackage?: boolean };
  return backend.isGPUPackage === true;
}

async function tryWebgpu(): Promise<BackendInfo | string> {
  try {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator?.gpu) {
      const dawn = (await importOptional('webgpu')) as { create: (flags: string[]) => unknown; globals?: object };
      if (dawn.globals) Object.assign(globalThis, dawn.globals);
      Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: dawn.create([]) }, configurable: true });
    }
    await importOptional('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) return 'webgpu found no adapter (needs a Vulkan/Metal/D3D12 GPU driver)';
    return { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', device: 'WebGPU adapter (Dawn)', gpu: true };
  } catch (error) {
    return isModuleNotFound(error)
      ? 'install `webgpu` and `@tensorflow/tfjs-backend-webgpu@4.22.0` for the WebGPU backend'
      : `webgpu failed to start: ${String(error)}`;
  }
}

async function tryWasm(): Promise<BackendInfo | string> {
  try {
    await importOptional('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not start';
    shareWasmBuffers();
    return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', device: 'CPU (WebAssembly SIMD, 1 thread)', gpu: false };
  } catch (error) {
    return `@tensorflow/tfjs-backend-wasm failed to load: ${String(error)}`;
  }
}

async function tryCpu(): Promise<BackendInfo | string> {
  if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not start';
  return { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', device: 'CPU (plain JavaScript kernels)', gpu: false };
}

/**
 * Select and start a TF.js backend, and announce the choice in one line.
 *
 * `auto` tries, in order, `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`, wasm and cpu, each by
 * a guarded dynamic import. Naming a backend explicitly makes a missing or broken one a
 * {@link BackendUnavailableError} that says how to install it.
 *
 * @example
 * ```ts
 * import { initBackend } from '@terramae/tensors';
 * const info = await initBackend({ backend: 'wasm' });
 * // stderr: "terramae backend: wasm (@tensorflow/tfjs-backend-wasm) on CPU (WebAssembly SIMD, 1 thread)"
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = options.backend ?? 'auto';
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  let result: BackendInfo | string;
  switch (requested) {
    case 'auto': {
      const reasons: string[] = [];
      result = '';
      for (const attempt of [() => tryTensorflow(options.gpu ?? 'prefer'), tryWasm, tryCpu]) {
        result = await attempt();
        if (typeof result !== 'string') break;
        reasons.push(result);
      }
      if (typeof result === 'string') throw new BackendUnavailableError(`No TF.js backend could start: ${reasons.join('; ')}`);
      break;
    }
    case 'tensorflow':
      result = await tryTensorflow(options.gpu ?? 'prefer');
      if (typeof result === 'string') {
        throw new BackendUnavailableError(`The 'tensorflow' backend is unavailable: ${result}. ${TFJS_NODE_GPU_HELP} ` +
          'For CPU only, `npm install @tensorflow/tfjs-node@4.22.0`.');
      }
      break;
    case 'webgpu':
      result = await tryWebgpu();
      if (typeof result === 'string') throw new BackendUnavailableError(`The 'webgpu' backend is unavailable: ${result}.`);
      break;
    case 'wasm':
      result = await tryWasm();
      if (typeof result === 'string') throw new BackendUnavailableError(`The 'wasm' backend is unavailable: ${result}. Install it with \`npm install @tensorflow/tfjs-backend-wasm@4.22.0\`.`);
      break;
    case 'cpu':
      result = await tryCpu();
      if (typeof result === 'string') throw new BackendUnavailableError(result);
      break;
    default:
      throw new BackendUnavailableError(`Unknown backend '${String(requested)}'. Use one of: auto, tensorflow, webgpu, wasm, cpu.`);
  }
  if (options.gpu === true && !result.gpu) {
    throw new BackendUnavailableError(`A GPU was requested but the '${result.name}' backend runs on ${result.device}. ${TFJS_NODE_GPU_HELP}`);
  }
  await tf.ready();
  log?.(`terramae backend: ${result.name} (${result.package}) on ${result.device}`);
  return result;
}
