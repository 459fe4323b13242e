import { EvaluationError } from '../errors';

/** Mean and spread of a score over folds or seeds. */
export interface ScoreSummary {
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** The individual scores, in fold / seed order. */
  readonly values: readonly number[];
}

/** Mean, sample standard deviation, min and max of a list of scores. */
export function summarize(values: readonly number[]): ScoreSummary {
  if (values.length === 0) throw new EvaluationError('summarize: no values (did every fold or seed fail?).');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return {
    mean,
    std: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0,
    min: Math.min(...values),
    max: Math.max(...values),
    values: [...values],
  };
}
