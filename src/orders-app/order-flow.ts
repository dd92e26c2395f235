import * as z from 'zod';

/** The orders service's functions (log groups `/aws/lambda/<name>`). */
export const OrderFunctions = {
  placeOrder: 'orders-place-order',
  chargePayment: 'orders-charge-payment',
  packOrder: 'orders-pack-order',
  emailConfirmation: 'orders-email-confirmation',
} as const;

/**
 * The milestones an order passes: received, paid (after retried attempts), then two branches in
 * parallel: packed and confirmation e-mailed. Failed payment attempts are milestones too, logged
 * only when a charge is retried.
 */
export const OrderMilestone = {
  received: 'ORDER_RECEIVED',
  paymentAttemptFailed: 'PAYMENT_ATTEMPT_FAILED',
  paymentCaptured: 'PAYMENT_CAPTURED',
  packed: 'ORDER_PACKED',
  confirmationEmailed: 'CONFIRMATION_EMAILED',
} as const;

/** What travels from one step to the next (and the fault drills of the sample). */
export const OrderMessage = z.object({
  orderId: z.string().regex(/^[A-Za-z0-9-]{3,64}$/),
  correlationId: z.string().uuid(),
  /** The card is declined this many times before a charge succeeds (retries). */
  failPaymentAttempts: z.number().int().min(0).max(5).default(0),
  /** The e-mail provider refuses the confirmation: the flow stops before CONFIRMATION_EMAILED. */
  failEmail: z.boolean().default(false),
});
export type OrderMessage = z.infer<typeof OrderMessage>;
