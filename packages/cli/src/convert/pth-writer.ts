import { writeFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RawTensor } from '@terramae/tensors';
import { pickleStateDict } from './torch-pickle-writer';
import { zipStore } from './zip-store';

/**
 * Write tensors as a PyTorch checkpoint that `torch.load` reads as an `OrderedDict` state dict (the
 * zip format of PyTorch ≥ 1.6: `<archive>/data.pkl`, `<archive>/data/<i>`, `<archive>/version`,
 * `<archive>/byteorder`). Names, dtypes, shapes and bytes are kept exactly; the file is written
 * atomically (temporary file, then rename).
 */
export function savePth(path: string, tensors: Readonly<Record<string, RawTensor>>): void {
  const archive = basename(path).replace(/\.[^.]*$/, '') || 'archive';
  const entries = Object.entries(tensors);
  const files = [
    { name: `${archive}/data.pkl`, bytes: pickleStateDict(entries) },
    { name: `${archive}/byteorder`, bytes: new TextEncoder().encode('little') },
    ...entries.map(([, raw], i) => ({ name: `${archive}/data/${i}`, bytes: raw.bytes })),
    { name: `${archive}/version`, bytes: new TextEncoder().encode('3\n') },
  ];
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, zipStore(files));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
