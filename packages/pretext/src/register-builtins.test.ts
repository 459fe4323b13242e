import { describe, expect, it, vi } from 'vitest';
import { listLossAggregators, listPretextTasks, registerPretextTask } from './api/registry';
import './register-builtins';
import { pixelReconstructionTask } from './tasks/mmearth/pixel-reconstruction';

describe('register-builtins', () => {
  it('registers the MMEarth tasks and the aggregators', () => {
    expect(listPretextTasks().map((t) => t.name)).toEqual(expect.arrayContaining(['pixel-reconstruction', 'pixel-classification', 'image-classification', 'image-regression']));
    expect(listLossAggregators().map((a) => a.name)).toEqual(expect.arrayContaining(['sum', 'weighted', 'uncertainty']));
  });
  it('warns on a duplicate registration', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    registerPretextTask(pixelReconstructionTask);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/pixel-reconstruction.*registered twice/));
    warn.mockRestore();
  });
});
