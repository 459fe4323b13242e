/**
 * Example terramae pretext-task plugin: per-pixel NDVI regression.
 * @packageDocumentation
 */
export * from './ndvi-task';
import './register';
