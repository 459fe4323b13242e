import type { Options } from 'tsup';
export declare function createTsupConfig(options?: {
  entry?: Record<string, string> | string[];
  platform?: 'node' | 'neutral';
  banner?: string;
}): Options | Options[];
