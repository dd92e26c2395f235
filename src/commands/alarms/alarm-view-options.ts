/** Options of the alarm message; everything not in the alarm itself is passed in (the core does no I/O). */
export interface AlarmViewOptions {
  /** The clock, for "in this state for …". */
  readonly now: Date;
  /** Account id → alias shown at a glance. */
  readonly accountAliases?: Readonly<Record<string, string>>;
  /** Prefix `<!here>` when the alarm fires. */
  readonly mentionHere?: boolean;
  /** When the alarm entered its current state, if earlier than this notification (reminders, updates). */
  readonly stateSince?: Date;
  readonly ack?: { readonly userId: string; readonly at: Date };
  /** The alarm's CloudWatch actions muted (a mute rule), by whom, until when. */
  readonly mute?: { readonly userId?: string; readonly until: Date };
  /** Gumshoe snoozed for this alarm, by whom, until when. */
  readonly snooze?: { readonly userId?: string; readonly until: Date };
  /** The first error/exception log lines, already fetched by the edge. */
  readonly errorLines?: readonly string[];
  /** A trace known to be affected, for the Open X-Ray trace button. */
  readonly traceId?: string;
  /** The function whose trace `traceId` is. */
  readonly traceFunction?: string;
}
