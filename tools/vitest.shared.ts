import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration every package uses. Sibling packages resolve to their TypeScript
 * sources through the `@terramae/source` export condition, so tests never need a prior build.
 */
export function packageVitestConfig(name: string) {
  return defineConfig({
    resolve: { conditions: ['@terramae/source'] },
    ssr: { resolve: { conditions: ['@terramae/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      // tfjs keeps one global engine per process; suites share nothing across files.
      isolate: true,
      fileParallelism: false,
    },
  });
}
