export { generationRun } from './generation-run';
