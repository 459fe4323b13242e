import { createTsupConfig } from '@terramae/tsup-config';

export default createTsupConfig();
