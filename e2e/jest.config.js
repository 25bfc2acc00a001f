import { jestConfig } from '../jest.preset.js';

// The whole system runs as real processes here; one test file at a time keeps a 2-core machine calm.
export default jestConfig({
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  maxWorkers: 1,
  testTimeout: 60_000,
});
