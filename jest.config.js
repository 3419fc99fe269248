/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // test/system needs root and a real Slurm: `npm run test:system` (see test/system/run.sh).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/system/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Removes the temporary folders each test file made (test/helpers/temp-dir.ts).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/remove-temp-dirs.ts'],
  testTimeout: 120000,
  // Tests that train models or start worker pools are CPU-heavy: two at once on two cores.
  maxWorkers: 2,
};
