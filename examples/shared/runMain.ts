import { pathToFileURL } from 'node:url';

export type Log = (line: string) => void;

/**
 * Runs an example when its file is the program being run (`tsx <example>/main.ts`), and sets a
 * failing exit code if it throws. Imported by the test suite, the file only exports `run`.
 */
export function runWhenMain(moduleUrl: string, run: (log: Log) => Promise<unknown>): void {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  run((line) => console.log(line)).then(
    () => console.log('ok'),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
