export * from './relay.job';
export * from './failure-policy';
export * from './consumer';
export * from './classifier.job';
export * from './colour.job';
export * from './projector.job';
export * from './live-feed.job';
export * from './worker-supervisor';
