export { type LatencyDistribution, type RandomSource, sampleLatency, seededRandom } from './latency';
export {
  PARTNER_SUCCESS_BODY,
  type ReceivedRequest,
  SLACK_WEBHOOK_RATE_LIMIT,
  STAND_IN_TARGETS,
  type StandInBehaviour,
  StandInConfigPatch,
  type StandIns,
  type StandInsOptions,
  type StandInTarget,
  startStandIns,
} from './stand-ins-server';
