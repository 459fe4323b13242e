import { createMaskingStrategy } from '@terramae/masking';
import { describe, expect, it } from 'vitest';
import '../register-builtins';
import { createPretextTask } from '../api/registry';
import { tinySpecs } from '../__tests__/synthetic-batch';
import { mmearthTasks } from '../tasks/mmearth/mmearth-tasks';
import { RecipeValidationError } from './recipe-validation-error';
import { assertTasksValid, validateTasks, type BackboneDescription } from './validate-tasks';

const grid: BackboneDescription = { layout: 'grid', inChannels: 4, patchSize: 8, outputGrid: (h, w) => [h / 8, w / 8] };

describe('validateTasks', () => {
  it('accepts a fitting recipe', () => {
    expect(validateTasks({ tasks: mmearthTasks('all'), specs: tinySpecs(), inputModality: 'sentinel2', backbone: grid, inputSize: [56, 56], masking: createMaskingStrategy('fcmae'), aggregator: 'uncertainty' })).toEqual([]);
  });

  it('reports every problem with the task, modality and what to change', () => {
    const specs = tinySpecs();
    const problems = validateTasks({
      tasks: [
        createPretextTask('pixel-classification', { modality: 'era5' }, 'wrong-kind'),
        createPretextTask('image-regression', { modality: 'precipitation' }, 'missing'),
        createPretextTask('pixel-reconstruction', {}, 'dup'),
        createPretextTask('pixel-reconstruction', {}, 'dup'),
      ],
      specs,
      inputModality: 'sentinel2',
      backbone: { ...grid, inChannels: 12 },
      inputSize: [50, 50],
      aggregator: 'nope',
    });
    const text = problems.map((p) => `[${p.where}/${p.modality ?? ''}] ${p.message}`).join('\n');
    expect(text).toMatch(/\[backbone\/sentinel2\].*12 input channels.*4 bands/);
    expect(text).toMatch(/\[backbone\/\] input size 50×50/);
    expect(text).toMatch(/\[wrong-kind\/era5\].*categorical pixel-level.*image-regression/);
    expect(text).toMatch(/\[missing\/precipitation\].*does not provide/);
    expect(text).toMatch(/\[dup\/\] two tasks have the id 'dup'/);
    expect(text).toMatch(/\[aggregator\/\] unknown loss aggregator 'nope'/);
  });

  it('reports config fields a task does not have (a misspelt option is not silently ignored)', () => {
    const problems = validateTasks({
      tasks: [createPretextTask('neighbor-reconstruction', { normPix: false } as never, 'nb'), createPretextTask('mae-reconstruction', { normPixLoss: false }, 'mae')],
      specs: tinySpecs(),
      inputModality: 'sentinel2',
      backbone: { layout: 'tokens', inChannels: 4, patchSize: 8 },
      inputSize: [16, 16],
      views: 2,
      hasBoxes: true,
    });
    const text = problems.map((p) => `[${p.where}] ${p.message}`).join('\n');
    expect(text).toMatch(/\[nb\] task 'neighbor-reconstruction' has no config field 'normPix'.*normPixLoss/);
    expect(text).not.toMatch(/\[mae\]/);
  });

  it('checks views, boxes and layouts the tasks and masking need', () => {
    const problems = validateTasks({
      tasks: [createPretextTask('neighbor-reconstruction')],
      specs: tinySpecs(),
      inputModality: 'sentinel2',
      backbone: grid,
      inputSize: [16, 16],
      masking: createMaskingStrategy('neighbor-adaptive'),
    });
    expect(problems.map((p) => p.message).join('\n')).toMatch(/2 views/);
    expect(problems.some((p) => p.where === 'masking')).toBe(true);
  });

  it('throws a RecipeValidationError listing all problems', () => {
    expect(() => assertTasksValid({ tasks: [], specs: {}, inputModality: 'x', backbone: grid, inputSize: [8, 8] })).toThrow(RecipeValidationError);
    try {
      assertTasksValid({ tasks: [], specs: {}, inputModality: 'x', backbone: grid, inputSize: [8, 8] });
    } catch (e) {
      expect((e as RecipeValidationError).problems.length).toBe(2);
      expect((e as Error).message).toMatch(/2 problems/);
    }
  });
});
