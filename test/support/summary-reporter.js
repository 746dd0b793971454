// Prints the one closing line CI reads: `tests: N passed, N failed, N skipped`.
// A test file that cannot even load counts as a failure.
class SummaryReporter {
  onRunComplete(_contexts, r) {
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
