export * from './standardizer';
export * from './lbfgs';
export * from './logistic-regression';
export * from './knn';
export * from './probe-method';
