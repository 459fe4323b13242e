import type { TensorComparison } from './compare';
import type { ParityReport } from './runner';

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** Print only the failing tensor rows (every case still gets its summary line). */
  readonly failuresOnly?: boolean;
}

function num(x: number): string {
  if (Number.isNaN(x)) return '-';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x.toExponential(2);
}

function short(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
}

function tol(c: TensorComparison): string {
  if (c.mode === 'exact') return 'exact';
  if (!c.tolerance) return '-';
  const { rel_l2: a, max_abs_rel: b } = c.tolerance;
  return a === b ? short(a) : `${short(a)}/${short(b)}`;
}

function layout(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/**
 * The report as text lines: one row per case, backend and tensor (case, backend, tensor,
 * max_abs, max_abs_rel, rel_l2, tolerance, PASS/FAIL, note), then a summary with the pending kinds.
 * Tolerances show `rel_l2/max_abs_rel` (one number when equal).
 */
export function formatReport(report: ParityReport, options: FormatOptions = {}): string[] {
  const header = ['case', 'backend', 'tensor', 'max_abs', 'max_abs_rel', 'rel_l2', 'tolerance', 'result', 'note'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const r of report.results) {
    if (r.status === 'no-handler') {
      rows.push([r.case, r.backend, '-', '-', '-', '-', '-', 'PENDING', `no handler for kind "${r.kind}"`]);
      continue;
    }
    if (r.status === 'error' || (r.error && r.comparisons.length === 0)) {
      rows.push([r.case, r.backend, '-', '-', '-', '-', '-', 'FAIL', `error: ${r.error ?? 'unknown'}`]);
    }
    for (const c of r.comparisons) {
      if (options.failuresOnly && c.pass) continue;
      rows.push([r.case, r.backend, c.tensor, num(c.maxAbs), num(c.maxAbsRel), num(c.relL2), tol(c), c.pass ? 'PASS' : 'FAIL', c.reason ?? '']);
    }
    if (r.comparisons.length) {
      const bad = r.comparisons.filter((c) => !c.pass).length;
      const worst = r.comparisons.reduce((m, c) => (c.mode === 'tolerance' && Number.isFinite(c.relL2) ? Math.max(m, c.relL2) : m), 0);
      notes.push(`${r.case} [${r.backend}]: ${r.status.toUpperCase()} ${r.comparisons.length - bad}/${r.comparisons.length} tensors, worst rel_l2 ${num(worst)}, ${r.seconds.toFixed(2)} s`);
    }
    for (const w of r.warnings) notes.push(`${r.case} [${r.backend}]: warning: ${w}`);
  }
  const lines = layout(rows);
  lines.push('', ...notes);
  if (report.pendingKinds.length) lines.push(`pending kinds (no handler registered): ${report.pendingKinds.join(', ')}`);
  const passed = report.results.filter((r) => r.status === 'pass').length;
  lines.push(`${report.ok ? 'OK' : 'FAILED'}: ${passed} passed, ${report.failures} failed of ${report.results.length} case runs (${report.backends.join(', ')}) in ${report.dir}`);
  return lines;
}
