/** The deployed names of the conference-session service's functions (log groups are `/aws/lambda/<name>`). */
export const FunctionNames = {
  createSession: 'conference-create-session-lambda',
  saveSession: 'conference-save-session-dynamodb-lambda',
  notifyNewSession: 'conference-slack-notification-lambda',
  forwardSession: 'conference-forward-session-lambda',
  listSessions: 'conference-list-sessions-lambda',
} as const;

export type FunctionName = (typeof FunctionNames)[keyof typeof FunctionNames];

/** The CloudWatch log group a Lambda function writes to. */
export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}
