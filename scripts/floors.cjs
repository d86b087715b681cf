// The floors of src/ (docs/architecture.md): .dependency-cruiser.cjs forbids imports upward;
// test/architecture.test.ts checks every folder of src/ has one.
/** Lowest first. A folder may import itself and any folder on a lower floor, never one above. */
exports.FLOORS = [
  ['errors', 'exit-codes', 'version', 'clock', 'random', 'dirs', 'write-file', 'text'],
  ['options'],
  ['results'],
  ['metrics'],
  ['verdicts'],
  ['data'],
  ['load'],
  ['client'],
  ['telemetry'],
  ['records'],
  ['simulator'],
  ['runner'],
  ['dsl'],
  ['config'],
  ['store'],
  ['report'],
  ['reporters'],
  ['suite'],
  ['serve'],
  ['cli'],
  ['index'],
]

