/**
 * Prints one plain closing line, "N passed, N failed, N skipped", after Jest's own summary,
 * so any CI can read the outcome of the run.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.stderr.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
