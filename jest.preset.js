// Shared Jest setup: native ESM (openid-client and oidc-provider are ESM-only), swc for speed,
// workspace libraries mapped to their sources so tests never run against a stale build.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export function jestConfig({ testMatch, ...rest } = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    testMatch: testMatch ?? [
      '<rootDir>/src/**/*.spec.ts',
      '<rootDir>/src/**/*.int-spec.ts',
      '<rootDir>/test/**/*.e2e-spec.ts',
    ],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
            keepClassNames: true,
            target: 'es2022',
          },
          module: { type: 'es6' },
        },
      ],
    },
    moduleNameMapper: {
      '^@helpdesk/(contracts|kit|testing)$': `${root}libs/$1/src/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    testTimeout: 30_000,
    ...rest,
  };
}
