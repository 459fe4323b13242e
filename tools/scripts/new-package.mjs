#!/usr/bin/env node
// Scaffold a terramae package with the repository's conventions:
//   node tools/scripts/new-package.mjs <name> "<one-line description>" [dep ...]
// Creates packages/<name>/ with package.json (dual ESM/CJS exports, types first), tsup, vitest,
// tsconfig and typedoc configs, a README stub and src/index.ts. It never overwrites a file.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...deps] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: new-package.mjs <name> "<description>" [internal-dep ...]');
  process.exit(2);
}
const root = join('packages', name);
const pkgName = `@terramae/${name}`;

const packageJson = {
  name: pkgName,
  version: '0.1.0',
  description,
  license: 'MIT',
  keywords: ['earth-observation', 'remote-sensing', 'self-supervised', 'masked-autoencoder', 'tensorflow.js'],
  repository: { type: 'git', url: 'git+https://github.com/terramae/terramae.git', directory: root },
  type: 'module',
  sideEffects: false,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      '@terramae/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/__tests__'],
  engines: { node: '>=20.9' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    lint: 'eslint src',
    'lint:package': 'publint --strict && attw --pack . --profile node16',
    test: 'vitest run',
  },
  dependencies: Object.fromEntries(deps.map((d) => [`@terramae/${d}`, '^0.1.0'])),
  peerDependencies: { '@tensorflow/tfjs': '^4.22.0' },
  publishConfig: { access: 'public' },
};

const files = {
  'package.json': JSON.stringify(packageJson, null, 2) + '\n',
  'tsconfig.json': JSON.stringify(
    { extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['src', 'test'] },
    null,
    2,
  ) + '\n',
  'tsup.config.ts': "import { createTsupConfig } from '@terramae/tsup-config';\n\nexport default createTsupConfig();\n",
  'vitest.config.ts': `import { packageVitestConfig } from '../../tools/vitest.shared.ts';\n\nexport default packageVitestConfig('${name}');\n`,
  'typedoc.json': JSON.stringify({ extends: ['../../typedoc.base.json'], entryPoints: ['src/index.ts'] }, null, 2) + '\n',
  'README.md': `# ${pkgName}\n\n${description}\n`,
  'src/index.ts': `/**\n * ${description}\n * @packageDocumentation\n */\nexport {};\n`,
};

mkdirSync(join(root, 'src'), { recursive: true });
for (const [file, text] of Object.entries(files)) {
  const path = join(root, file);
  if (existsSync(path)) continue;
  writeFileSync(path, text);
  console.log(`created ${path}`);
}
if (!existsSync(join(root, 'LICENSE'))) copyFileSync('LICENSE', join(root, 'LICENSE'));
