// Runs the code of the user guides: every ```ts block of docs/guides/{getting-started, recipes,
// evaluation, checkpoints, backends}.md is written to a module under <repo>/tmp/guides (ignored by
// git) and imported, so `@terramae/*` resolve to the packages' sources. Blocks marked
// ```typescript or ```sh are shown, not run. Each block runs on its own, with a time limit.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const work = join(repo, 'tmp', 'guides');
const GUIDES = ['getting-started', 'recipes', 'evaluation', 'checkpoints', 'backends'] as const;

/** The ```ts blocks of a markdown file, with the line each starts on. */
export function tsBlocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*(guide)?\s*$/.test(lines[i] as string)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] as string).startsWith('```')) end++;
    out.push({ code: lines.slice(start, end).join('\n'), line: start + 1 });
    i = end;
  }
  return out;
}

describe('tsBlocks', () => {
  it('finds ```ts blocks and skips other languages', () => {
    const md = ['# t', '```ts', 'a()', '```', '```typescript', 'b()', '```', '```ts guide', 'c()', 'd()', '```'].join('\n');
    expect(tsBlocks(md)).toEqual([
      { code: 'a()', line: 3 },
      { code: 'c()\nd()', line: 9 },
    ]);
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const guide of GUIDES) {
  const path = join(repo, 'docs', 'guides', `${guide}.md`);
  const blocks = tsBlocks(readFileSync(path, 'utf8'));
  describe(`docs/guides/${guide}.md`, () => {
    it('has runnable examples', () => expect(blocks.length).toBeGreaterThan(0));
    blocks.forEach((block, i) => {
      it(`block ${i + 1} (line ${block.line}) runs`, { timeout: 90_000 }, async () => {
        const dir = join(work, guide);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `block-${i + 1}.ts`);
        // `export {}` makes every block a module (top-level await, no global clashes)
        writeFileSync(file, `${block.code}\nexport {};\n`);
        const cwd = process.cwd();
        const scratch = join(dir, `cwd-${i + 1}`);
        mkdirSync(scratch, { recursive: true });
        process.chdir(scratch); // blocks write their files into a scratch folder
        try {
          await import(/* @vite-ignore */ file);
        } finally {
          process.chdir(cwd);
        }
      });
    });
  });
}
