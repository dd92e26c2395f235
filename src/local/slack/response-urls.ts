import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { validateMessage } from './block-kit-limits';
import { readBody, sendJson } from './http-io';
import type { MessageStore } from './message-store';
import { LOCAL_WORKSPACE } from './workspace';

/** How many times Slack accepts a response_url. */
const RESPONSE_URL_USES = 5;

const ResponseUrlBody = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.union([z.boolean(), z.string()]).optional(),
  delete_original: z.union([z.boolean(), z.string()]).optional(),
  thread_ts: z.string().optional(),
});
type ResponseUrlBody = z.infer<typeof ResponseUrlBody>;

/** Who a response_url answers: the command's or click's channel and user, and the clicked message. */
export interface ResponseContext {
  channelId?: string;
  userId?: string;
  messageTs?: string;
}

interface ResponseUrlState {
  createdMs: number;
  uses: number;
  channel: string;
  user: string;
  /** The message a replace_original/delete_original acts on. */
  originalTs?: string;
}

function truthy(value: boolean | string | undefined): boolean {
  return value === true || value === 'true';
}

/** Slack's response_urls: five uses within their lifetime, ephemeral or in channel, replace or delete the original. */
export class ResponseUrls {
  private readonly states = new Map<string, ResponseUrlState>();

  constructor(
    private readonly store: MessageStore,
    private readonly ttlMs: number,
    private readonly baseUrl: () => string,
  ) {}

  create(context: ResponseContext = {}): string {
    const id = randomUUID();
    this.states.set(id, {
      createdMs: Date.now(),
      uses: 0,
      channel: context.channelId ?? LOCAL_WORKSPACE.channelId,
      user: context.userId ?? LOCAL_WORKSPACE.userId,
      ...(context.messageTs ? { originalTs: context.messageTs } : {}),
    });
    return `${this.baseUrl()}/response/${id}`;
  }

  clear(): void {
    this.states.clear();
  }

  /** `POST /response/<id>`: answers as Slack does, refusing what it refuses. */
  async handle(id: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const state = this.states.get(id);
    const raw = (await readBody(request)).toString('utf8');
    if (!state || Date.now() - state.createdMs > this.ttlMs) {
      return sendJson(response, 404, { ok: false, error: 'expired_url' });
    }
    if (state.uses >= RESPONSE_URL_USES) return sendJson(response, 404, { ok: false, error: 'used_url' });
    let parsed: ResponseUrlBody;
    try {
      const json: unknown = JSON.parse(raw);
      const refusal = typeof json === 'object' && json !== null ? validateMessage(json) : null;
      if (refusal) {
        return sendJson(response, 400, {
          ok: false,
          error: refusal.error,
          response_metadata: { messages: refusal.messages },
        });
      }
      parsed = ResponseUrlBody.parse(json);
    } catch {
      return sendJson(response, 400, { ok: false, error: 'invalid_payload' });
    }
    state.uses += 1;
    this.apply(state, parsed);
    sendJson(response, 200, { ok: true });
  }

  private apply(state: ResponseUrlState, body: ResponseUrlBody): void {
    const original = this.store.find(state.originalTs);
    if (truthy(body.delete_original)) {
      if (original) this.store.remove(original);
      return;
    }
    if (truthy(body.replace_original) && original) {
      this.store.edit(original, body);
      return;
    }
    const message = this.store.add({
      kind: body.response_type === 'in_channel' ? 'channel' : 'ephemeral',
      via: 'response_url',
      channel: state.channel,
      text: body.text ?? '',
      blocks: body.blocks ?? [],
      ...(body.attachments ? { attachments: body.attachments } : {}),
      ...(body.response_type === 'in_channel' ? {} : { user: state.user }),
      ...(body.thread_ts ? { threadTs: body.thread_ts } : {}),
    });
    // Later replace_original calls on this url act on what it last posted, as in Slack.
    state.originalTs = message.ts;
  }
}
