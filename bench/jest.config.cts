module.exports = {
  displayName: 'bench',
  preset: '../jest.preset.js',
  testEnvironment: 'node',
  testTimeout: 180_000,
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  testPathIgnorePatterns: ['/.build/', '/results/'],
};
