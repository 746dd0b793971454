export * from './wiring';
export { packWorkflow } from './pack/workflow';
