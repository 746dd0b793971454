export { packWorkflow } from './pack/workflow';
export { calendarSyncWorkflow } from './calendar-sync';
