// The documentation's code runs: every ```ts and ```js example block of the package README and
// of docs/guides/data-formats.md is executed as its own module (```typescript blocks are
// illustrations that need your own files and are not run). The README's ```js example block is
// also what tools/scripts/pack-smoke.mjs runs against the packed package.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '@terramae/testing';

const here = dirname(fileURLToPath(import.meta.url));
const docs = {
  'README.md': resolve(here, '..', 'README.md'),
  'docs/guides/data-formats.md': join(REPO_ROOT, 'docs', 'guides', 'data-formats.md'),
};

function blocks(markdown: string): string[] {
  return [...markdown.matchAll(/```(?:ts|js example)\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

for (const [name, path] of Object.entries(docs)) {
  describe(`${name} examples`, () => {
    const code = blocks(readFileSync(path, 'utf8'));
    it('has runnable examples', () => {
      expect(code.length).toBeGreaterThan(0);
    });
    code.forEach((block, i) => {
      it(`block ${i + 1} runs`, async () => {
        const file = join(here, '__tests__', `.doc-${name.replace(/[^a-z]/gi, '-')}-${i}.ts`);
        writeFileSync(file, `${block}\nexport {};\n`);
        const log = vi.spyOn(console, 'log').mockImplementation(() => {});
        try {
          await import(/* @vite-ignore */ file);
        } finally {
          log.mockRestore();
          rmSync(file, { force: true });
        }
      });
    });
  });
}
