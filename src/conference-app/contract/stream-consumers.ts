/**
 * How the sessions table's stream feeds the notification and forwarding functions, read by both the
 * CDK app and the local stack so AWS runs what was tested.
 *
 * One batch at a time per shard (parallelisation 1) and no batching window: while one Slack message is
 * in flight the next batch fills up, so under load the notifier sends one message per webhook round
 * trip (about one a second, Slack's incoming-webhook limit) however many sessions arrive.
 *
 * A second batch per shard, paced to start a message one second after the previous one, does not
 * shorten the tail: a batch's sessions are fixed when Lambda reads it, so the second batch is read
 * (nearly empty) just after the first starts and waits for its slot, while the sessions saved
 * meanwhile wait for the first batch to return and then for a third slot. A window long enough to
 * fill it adds its length to every lead time. See docs/bench.md, "Notifier under the seed's load".
 */
export const STREAM_CONSUMER_SETTINGS = {
  batchSize: 25,
  maxBatchingWindowMs: 0,
  parallelizationFactor: 1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  /** The function already retries a send inside its own time budget; these are retries of whole invocations. */
  retryAttempts: 10,
  /** After this a record goes to the failure destination, from which it can be re-driven. */
  maxRecordAgeSeconds: 3600,
} as const;

/** The ledger table's name locally and its role in AWS (announcements and forwards done, per session). */
export const DELIVERIES_TABLE = 'conference-session-deliveries';
