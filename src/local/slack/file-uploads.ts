import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readUploadBytes, sendJson } from './http-io';
import { knownChannel, type MessageStore } from './message-store';
import type { LocalFile } from './messages';
import { apiError, type WebApiMethod } from './web-api-method';

interface Upload {
  name: string;
  title: string;
  length: number;
  bytes?: Buffer;
}

const CompletedFiles = z.array(z.object({ id: z.string(), title: z.string().optional() }));

/** Slack's external upload: get an upload URL, POST the bytes there, complete to share them. */
export class FileUploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly store: MessageStore,
    private readonly baseUrl: () => string,
  ) {}

  methods(): Record<string, WebApiMethod> {
    return {
      'files.getUploadURLExternal': (args) => {
        const length = Number(args.length);
        if (!args.filename || !Number.isFinite(length) || length < 0) return apiError('invalid_arguments');
        const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
        this.uploads.set(id, { name: String(args.filename), title: String(args.filename), length });
        return { body: { ok: true, file_id: id, upload_url: `${this.baseUrl()}/upload/${id}` } };
      },
      'files.completeUploadExternal': (args) => this.complete(args),
    };
  }

  /** `POST /upload/<id>`: keeps the bytes for completeUploadExternal. */
  async receive(id: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const entry = this.uploads.get(id);
    const bytes = await readUploadBytes(request);
    if (!entry) return sendJson(response, 404, { ok: false, error: 'file_not_found' });
    entry.bytes = bytes;
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`OK - ${bytes.length}`);
  }

  /** `GET /files/<id>`: the file's bytes (url_private). */
  serve(id: string, response: ServerResponse): void {
    const entry = this.uploads.get(id);
    if (!entry?.bytes) {
      sendJson(response, 404, { ok: false, error: 'file_not_found' });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(entry.bytes);
  }

  private complete(args: Record<string, unknown>) {
    const files = CompletedFiles.safeParse(args.files);
    if (!files.success) return apiError('invalid_arguments');
    const shared: LocalFile[] = [];
    for (const file of files.data) {
      const upload = this.uploads.get(file.id);
      if (!upload?.bytes) return apiError('file_not_found');
      shared.push({
        id: file.id,
        name: upload.name,
        title: file.title ?? upload.title,
        length: upload.bytes.length,
        url_private: `${this.baseUrl()}/files/${file.id}`,
      });
    }
    const channelArg = args.channel_id ?? args.channels;
    if (channelArg !== undefined) {
      const channel = knownChannel(channelArg);
      if (!channel) return apiError('channel_not_found');
      this.store.add({
        kind: 'channel',
        via: 'files.completeUploadExternal',
        channel,
        text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
        blocks: [],
        files: shared,
        ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
      });
    }
    return { body: { ok: true, files: shared.map((f) => ({ ...f, size: f.length })) } };
  }
}
