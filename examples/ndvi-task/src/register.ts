// Side-effect module: importing the plugin registers its task (listed in package.json `sideEffects`).
import { registerPretextTask } from '@terramae/pretext';
import { ndviRegressionTask } from './ndvi-task';

registerPretextTask(ndviRegressionTask);
