export * from './task';
export * from './aggregator';
export * from './registry';
