import type { Context } from 'aws-lambda';
import { OrderFunctions, OrderMessage, OrderMilestone } from '../order-flow';
import { nextStep } from './next-step';
import { logger, orderLogger } from './order-logger';

/** Charges the card, retrying a declined attempt, then starts both branches: packing and the e-mail. */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  const order = OrderMessage.parse(event);
  const log = orderLogger(logger, context, order);
  for (let attempt = 1; attempt <= order.failPaymentAttempts; attempt++) {
    log.warn('card declined, retrying', { milestone: OrderMilestone.paymentAttemptFailed, attempt });
  }
  log.info('payment captured', {
    milestone: OrderMilestone.paymentCaptured,
    attempts: order.failPaymentAttempts + 1,
  });
  await Promise.all([
    nextStep(OrderFunctions.packOrder, order),
    nextStep(OrderFunctions.emailConfirmation, order),
  ]);
};
