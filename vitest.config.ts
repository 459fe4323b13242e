import { defineConfig } from 'vitest/config';

// `npx vitest` at the root runs every package's suite as one project each; `npm test` runs the
// same suites package by package through nx (cached). Package configs live beside each package.
export default defineConfig({
  test: {
    projects: ['packages/*', 'tools/parity', 'tools/bench'],
  },
});
