import type { CaseResult, ConformanceReport, ConformanceSummary } from './runner.js';

const LABEL = { pass: 'PASS', fail: 'FAIL', na: 'N/A ' } as const;

/** One line per case: verdict, section, level, id, the rule, and why it failed or does not apply. */
export function formatResult(result: CaseResult): string {
  const line = `${LABEL[result.verdict]} ${result.section.padEnd(6)} ${result.level.padEnd(6)} ${result.id}: ${result.title}`;
  return result.reason ? `${line} — ${result.reason.replace(/\s*\n\s*/g, ' ')}` : line;
}

/** The summary line, e.g. `58 passed, 1 failed (1 MUST), 6 not applicable`. */
export function formatSummary(summary: ConformanceSummary): string {
  const failed = summary.failed > 0 ? ` (${summary.mustFailed} MUST, ${summary.failed - summary.mustFailed} SHOULD)` : '';
  return `${summary.passed} passed, ${summary.failed} failed${failed}, ${summary.notApplicable} not applicable`;
}

/** The exit code of a run: 1 when any MUST case failed, else 0 (SHOULD failures are reported, not fatal). */
export function exitCode(report: ConformanceReport): number {
  return report.summary.mustFailed > 0 ? 1 : 0;
}
