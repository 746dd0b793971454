export { packWorkflow } from './pack/workflow';
