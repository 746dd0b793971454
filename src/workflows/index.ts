export * from './wiring';
