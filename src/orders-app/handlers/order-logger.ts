import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { OrderMessage } from '../order-flow';

/** Powertools Logger as the orders service uses it: `correlation_id`, `orderId` and `milestone` keys. */
export function orderLogger(
  logger: Logger,
  context: Context,
  order: Pick<OrderMessage, 'orderId' | 'correlationId'>,
): Logger {
  logger.addContext(context);
  logger.setCorrelationId(order.correlationId);
  logger.appendKeys({ orderId: order.orderId });
  return logger;
}

/** The service's one logger per environment. */
export const logger = new Logger({ serviceName: 'orders' });
