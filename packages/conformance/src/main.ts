import { ALL_CASES } from './cases/index.js';
import { CONFORMANCE_HELP, UsageError, parseConformanceArgs } from './cli.js';
import { exitCode, formatResult, formatSummary } from './report.js';
import { TargetUnreachableError, runConformance } from './runner.js';
import { describeTarget } from './target.js';

export interface MainOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: MainOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs the `scomp-conformance` command; resolves with its exit code. */
export async function main(argv: readonly string[], output: MainOutput = processOutput): Promise<number> {
  let command;
  try {
    command = parseConformanceArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.stderr(`scomp-conformance: ${error.message}\n\n${CONFORMANCE_HELP}`);
    return 2;
  }
  if (command.kind === 'help') {
    output.stdout(CONFORMANCE_HELP);
    return 0;
  }
  if (command.kind === 'list') {
    for (const item of ALL_CASES) output.stdout(`${item.section.padEnd(6)} ${item.level.padEnd(6)} ${item.id}: ${item.title}\n`);
    return 0;
  }
  const { target, json, options } = command;
  if (!json) output.stdout(`scomp-conformance against ${describeTarget(target)}\n`);
  let report;
  try {
    report = await runConformance(target, ALL_CASES, {
      ...options,
      ...(json ? {} : { onResult: (result) => output.stdout(`${formatResult(result)}\n`) }),
    });
  } catch (error) {
    if (!(error instanceof TargetUnreachableError)) throw error;
    output.stderr(`scomp-conformance: ${error.message}\n`);
    return 1;
  }
  output.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSummary(report.summary)}\n`);
  return exitCode(report);
}
