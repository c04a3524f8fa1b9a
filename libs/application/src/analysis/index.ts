// The labelling pool: decode, resize, classify and measure colours in worker threads.
export { AnalysisPool, AnalysisPoolClosedError, type Analysis, type AnalysisPoolOptions, type AnalysisRequest } from './analysis-pool';
