/** Jest runs the ESM TypeScript sources through ts-jest (see README, "Development"). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  setupFiles: ['<rootDir>/__tests__/helpers/quiet-workflow-commands.ts'],
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  verbose: false
}
