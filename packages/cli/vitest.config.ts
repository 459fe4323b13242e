import { mergeConfig } from 'vitest/config';
import { packageVitestConfig } from '../../tools/vitest.shared.ts';

// The binary tests spawn `terramae` built from the current sources (test/global-setup.ts).
export default mergeConfig(packageVitestConfig('cli'), { test: { globalSetup: ['test/global-setup.ts'] } });
