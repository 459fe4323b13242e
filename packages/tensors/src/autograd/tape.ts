import type * as tf from '@tensorflow/tfjs';

/** One recorded op on tfjs's gradient tape (the engine's internal record; not public tfjs API). */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  /** Forward tensors the op kept for its gradient (kept clones; disposing them frees the data). */
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/**
 * The nodes of `tape` that lie on a path from one of `xs` to `y`, in tape order, each a shallow
 * copy whose `inputs` keep only the inputs that depend on `xs` (the only ones that need a
 * gradient). Same selection as tfjs's internal `getFilteredNodesXToY`.
 */
export function filterTapeToOutput(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const leadsToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => leadsToY.has(o.id))) {
      nodesToY.add(node.id);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(node.inputs)) if (fromX.has(input.id)) inputs[name] = input;
    path.push({ ...node, inputs });
  }
  return path;
}
