import type { Context } from 'aws-lambda';
import { OrderMessage, OrderMilestone } from '../order-flow';
import { logger, orderLogger } from './order-logger';

/** Packs the order (one branch after the payment). */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  const order = OrderMessage.parse(event);
  orderLogger(logger, context, order).info('order packed', { milestone: OrderMilestone.packed });
};
