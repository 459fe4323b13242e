import { TerramaeError } from '@terramae/tensors';

/** One problem found by {@link validateTasks}: where it is and what to change. */
export interface ValidationProblem {
  /** Task id, or `input`, `masking`, `aggregator`, `backbone`. */
  readonly where: string;
  /** The modality concerned, when there is one. */
  readonly modality?: string;
  /** What is wrong and what to change. */
  readonly message: string;
}

/**
 * A recipe's tasks do not fit the dataset or the backbone. Thrown before any tensor exists; the
 * message lists every problem (task, modality, what to change), and `problems` holds them.
 */
export class RecipeValidationError extends TerramaeError {
  constructor(readonly problems: readonly ValidationProblem[]) {
    super(
      `The recipe does not fit the data or the backbone (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - [${p.where}${p.modality ? ` / ${p.modality}` : ''}] ${p.message}`).join('\n'),
    );
  }
}
