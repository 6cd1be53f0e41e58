/** What one eval returns to the model, before and after the budget. */
export interface EvalOutput {
  value: unknown;
  logs: string[];
}

export interface BudgetedOutput extends EvalOutput {
  /** Characters left out, when anything was cut. */
  omittedChars?: number;
}

/**
 * Cuts the value and the log lines together to at most `maxChars` characters of text. Each gets
 * half the budget and what the other does not need. A cut value becomes its JSON text's start plus
 * a marker; cut logs keep their first lines plus a marker line. Markers say how much was left out.
 */
export function applyOutputBudget(output: EvalOutput, maxChars: number): BudgetedOutput {
  const valueText = output.value === undefined ? '' : JSON.stringify(output.value);
  const logChars = output.logs.reduce((sum, line) => sum + line.length + 1, 0);
  if (valueText.length + logChars <= maxChars) return output;

  const half = Math.floor(maxChars / 2);
  const valueBudget = Math.max(half, maxChars - logChars);
  const logBudget = Math.max(half, maxChars - valueText.length);
  let omittedChars = 0;

  let value = output.value;
  if (valueText.length > valueBudget) {
    omittedChars += valueText.length - valueBudget;
    value = `${valueText.slice(0, valueBudget)}… [value cut: ${valueText.length - valueBudget} of ${valueText.length} characters left out]`;
  }

  let logs = output.logs;
  if (logChars > logBudget) {
    const kept: string[] = [];
    let used = 0;
    for (const line of output.logs) {
      if (used + line.length + 1 > logBudget) {
        if (kept.length === 0) kept.push(line.slice(0, logBudget));
        break;
      }
      kept.push(line);
      used += line.length + 1;
    }
    const keptChars = kept.reduce((sum, line) => sum + line.length + 1, 0);
    const droppedLines = output.logs.length - kept.length;
    omittedChars += logChars - keptChars;
    kept.push(`… [logs cut: ${logChars - keptChars} characters${droppedLines > 0 ? ` in ${droppedLines} more line(s)` : ''} left out]`);
    logs = kept;
  }
  return { value, logs, omittedChars };
}
