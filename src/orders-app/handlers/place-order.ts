import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { OrderFunctions, OrderMessage, OrderMilestone } from '../order-flow';
import { nextStep } from './next-step';
import { logger, orderLogger } from './order-logger';

const PlaceOrder = z.object({
  orderId: z
    .string()
    .regex(/^[A-Za-z0-9-]{3,64}$/)
    .optional(),
  failPaymentAttempts: z.number().int().min(0).max(5).optional(),
  failEmail: z.boolean().optional(),
});

/** Takes an order, logs ORDER_RECEIVED and hands it to the payment step. */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<{ orderId: string; correlationId: string }> => {
  const input = PlaceOrder.parse(event);
  const order = OrderMessage.parse({
    ...input,
    orderId: input.orderId ?? `ord-${randomUUID().slice(0, 8)}`,
    correlationId: randomUUID(),
  });
  orderLogger(logger, context, order).info('order received', { milestone: OrderMilestone.received });
  await nextStep(OrderFunctions.chargePayment, order);
  return { orderId: order.orderId, correlationId: order.correlationId };
};
