import type { Context } from 'aws-lambda';
import { OrderMessage, OrderMilestone } from '../order-flow';
import { logger, orderLogger } from './order-logger';

/** The e-mail provider refused a message. */
export class EmailRefusedError extends Error {
  override readonly name = 'EmailRefusedError';
}

/** E-mails the confirmation (the other branch after the payment); a refusal is logged with the error. */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  const order = OrderMessage.parse(event);
  const log = orderLogger(logger, context, order);
  if (order.failEmail) {
    // Logged, not thrown: an async retry would only send the same refused message twice more.
    log.error('confirmation not sent', new EmailRefusedError(`mailbox unavailable for ${order.orderId}`));
    return;
  }
  log.info('confirmation e-mailed', { milestone: OrderMilestone.confirmationEmailed });
};
