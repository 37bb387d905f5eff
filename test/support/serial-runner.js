// jest has no per-project maxWorkers: a runner that says it is serial makes jest run its project's files one at a
// time, in the main process, while the unit project keeps its parallel workers (jest runs one runner after the other).
const TestRunner = require('jest-runner').default;

module.exports = class SerialRunner extends TestRunner {
  isSerial = true;
};
