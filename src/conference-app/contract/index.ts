export * from './function-names';
export * from './log-line';
export * from './milestones';
export * from './stream-consumers';
