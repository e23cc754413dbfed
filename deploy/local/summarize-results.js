// Prints the plain closing line CI reads, `N passed, N failed`, from Jest's JSON results.
// A failed type-check counts as one failure; no results at all (Jest crashed) is a failure too.
const fs = require('node:fs');
const [file, typecheckFailed] = process.argv.slice(2);
let passed = 0;
let failed = Number(typecheckFailed === '1');
if (!fs.existsSync(file)) {
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
passed = r.numPassedTests;
failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
if (typecheckFailed === '1') console.log('type-check failed (see above)');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
