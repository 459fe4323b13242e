// Runs the example plugin of docs/guides/custom-pretext-task.md (examples/ndvi-task) in this
// package's suite, so the guide's code is tested in CI.
import '../../../examples/ndvi-task/src/ndvi-task.test';
