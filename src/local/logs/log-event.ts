/** One stored CloudWatch Logs event, as the local AWS endpoint keeps it (times in epoch ms). */
export interface StoredLogEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  /** Unique per event; the engine derives `@ptr` from it. */
  readonly eventId: string;
}
