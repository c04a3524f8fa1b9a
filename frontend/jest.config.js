// Component tests of the web console (Angular + jest-preset-angular, jsdom, zoneless).
// Self-contained: it does not use the root SWC preset. Run from the repository root with
// `npm run test:console` or `npx jest -c frontend/jest.config.js`.
module.exports = {
  displayName: 'console',
  rootDir: __dirname,
  preset: 'jest-preset-angular',
  testEnvironment: 'jsdom',
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  transform: {
    '^.+\\.(ts|js|mjs|html|svg)$': [
      'jest-preset-angular',
      { tsconfig: '<rootDir>/tsconfig.spec.json', stringifyContentPathRegex: '\\.(html|svg)$' },
    ],
  },
  transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)'],
  // The two dependency-free modules of the libs the console shares (see tsconfig.json paths).
  moduleNameMapper: {
    '^@vegvision/domain/kinds$': '<rootDir>/../libs/domain/src/kinds.ts',
    '^@vegvision/colour/palettes$': '<rootDir>/../libs/colour/src/palettes.ts',
    '^@vegvision/read-model/port$': '<rootDir>/../libs/read-model/src/read-model.port.ts',
  },
  moduleFileExtensions: ['ts', 'html', 'js', 'json', 'mjs'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
