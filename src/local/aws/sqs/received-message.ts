import type { Message } from './local-queues';
import { md5OfAttributes } from './md5';

/** Which attributes a ReceiveMessage asked for: system ones, and message ones by name or `prefix.*`. */
export interface WantedAttributes {
  readonly system: readonly string[];
  readonly message: readonly string[];
}

/** A received message as ReceiveMessage returns it, with only the attributes asked for. */
export function receivedMessage(m: Message, wanted: WantedAttributes, now: number) {
  const system: Record<string, string> = {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentAt),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? now),
    SenderId: 'AIDAAAAAAAAAAAAAAAAAA',
  };
  const wantedSystem = wanted.system.includes('All')
    ? Object.keys(system)
    : wanted.system.filter((n) => n in system);
  const names = wanted.message;
  const all = names.includes('All') || names.includes('.*');
  const selected = Object.fromEntries(
    Object.entries(m.attributes).filter(
      ([name]) => all || names.some((p) => (p.endsWith('.*') ? name.startsWith(p.slice(0, -2)) : p === name)),
    ),
  );
  const md5 = md5OfAttributes(selected);
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(wantedSystem.length > 0
      ? { Attributes: Object.fromEntries(wantedSystem.map((n) => [n, system[n]])) }
      : {}),
    ...(md5 ? { MessageAttributes: selected, MD5OfMessageAttributes: md5 } : {}),
  };
}
