export { AlarmEnv, BotEnv, ServiceEnv } from './env-names';
export * from './schema';
export {
  ALARM_FUNCTION_TIMEOUT_SECONDS,
  accountAliasesEnv,
  BotFunctionNames,
  describeSystem,
  FUNCTION_KEYS,
  type FunctionKey,
  ResourceNames,
  SystemSettings,
} from './system';
