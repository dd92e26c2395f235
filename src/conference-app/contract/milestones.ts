import { FunctionNames } from './function-names';

/**
 * The milestones a new session passes, in the order they are expected, each with the function that
 * logs it and the milestone it follows. Notification and forwarding both follow the save (they
 * read the same DynamoDB stream), so the flow is a small tree, not a strict line.
 */
export const MILESTONES = [
  { name: 'CREATE_REQUEST_RECEIVED', functionName: FunctionNames.createSession, after: null },
  { name: 'SAVED_IN_DATABASE', functionName: FunctionNames.saveSession, after: 'CREATE_REQUEST_RECEIVED' },
  {
    name: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
    functionName: FunctionNames.notifyNewSession,
    after: 'SAVED_IN_DATABASE',
  },
  { name: 'SESSION_FORWARDED', functionName: FunctionNames.forwardSession, after: 'SAVED_IN_DATABASE' },
] as const;

export type MilestoneName = (typeof MILESTONES)[number]['name'];

/** Milestone names as constants, for the service's log calls. */
export const Milestone = {
  createRequestReceived: 'CREATE_REQUEST_RECEIVED',
  savedInDatabase: 'SAVED_IN_DATABASE',
  slackNotificationSent: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
  sessionForwarded: 'SESSION_FORWARDED',
} as const satisfies Record<string, MilestoneName>;

/** Lead time is measured between these two milestones (the seed's query). */
export const LEAD_TIME_FROM: MilestoneName = Milestone.createRequestReceived;
export const LEAD_TIME_TO: MilestoneName = Milestone.slackNotificationSent;

/** Every milestone name, in expected order. */
export const MILESTONE_NAMES: readonly MilestoneName[] = MILESTONES.map((m) => m.name);
