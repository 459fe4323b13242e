import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_VERSION } from '../src/version';
import { runInProcess } from './cli-harness';

const COMMANDS = ['demo', 'pretrain', 'probe', 'finetune', 'embed', 'synth', 'convert', 'inspect', 'recipes'];

describe('help and version', () => {
  for (const command of COMMANDS) {
    it(`terramae ${command} --help`, async () => {
      const r = await runInProcess([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: terramae ${command} `, 'm'));
      if (command !== 'recipes') expect(r.stdout).toMatch(/Examples:\n {2}\$ /);
      if (['demo', 'pretrain', 'probe', 'finetune', 'embed'].includes(command)) {
        expect(r.stdout).toMatch(/--backend <name>/);
        expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/choices: "auto", "wasm", "cpu", "tensorflow", "webgpu"/);
        expect(r.stdout).toMatch(/--gpu/);
      }
    });
  }

  it('with no command prints the help on stderr and exits 2', async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: terramae \[options\] \[command\]/);
  });

  it('--version prints the package version', async () => {
    const r = await runInProcess(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(CLI_VERSION).toBe(pkg.version);
  });

  it('rejects an unknown option of a command with exit 2 and names it', async () => {
    const r = await runInProcess(['probe', '--chekpoint', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/terramae: unknown option '--chekpoint'/);
    expect(r.stderr).toMatch(/Did you mean --checkpoint\?/);
  });

  it('a plugin that cannot be imported is a usage error naming it', async () => {
    const r = await runInProcess(['--plugin', './no-such-plugin.mjs', 'recipes', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--plugin \.\/no-such-plugin\.mjs: cannot import it/);
  });
});
