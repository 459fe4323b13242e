import { packageVitestConfig } from '../../tools/vitest.shared.ts';

export default packageVitestConfig('accel');
