/** One JSON line on stdout: what scripts and tests read from the CLI (logs go to stderr). */
export function printLine(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
