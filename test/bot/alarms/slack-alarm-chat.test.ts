import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAlarmChat } from '../../../src/bot/alarms/slack-alarm-chat';
import { AlarmChatError, ChatFailure } from '../../../src/commands/alarms/ports';
import { LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from '../../../src/local/slack';
import { TestTimer } from '../../fakes/alarm-fakes';
import { testConfig } from '../fakes';

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';

describe('SlackAlarmChat against the local Slack', () => {
  let slack: LocalSlack;
  let chat: SlackAlarmChat;

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
    const config = testConfig(slack.apiUrl);
    const timer = new TestTimer(Date.parse('2026-05-01T10:01:00Z'), Date.parse('2026-05-01T10:02:00Z'));
    chat = new SlackAlarmChat(SlackAlarmChat.clientFor(TOKEN, config), timer);
  });
  afterAll(async () => {
    await slack.close();
  });

  it('posts to the configured channel', async () => {
    const posted = await chat.post(
      { channel: LOCAL_WORKSPACE.channelId },
      { text: 'conference-api-5xx is ALARM' },
    );

    expect(posted.channel).toBe(LOCAL_WORKSPACE.channelId);
    expect(posted.ts).toBeTruthy();
  });

  it('treats a channel it cannot see as permanent and says how to fix the deployment', async () => {
    const failure = chat.post({ channel: 'C0NOSUCH' }, { text: 'conference-api-5xx is ALARM' });

    await expect(failure).rejects.toBeInstanceOf(AlarmChatError);
    await expect(failure).rejects.toMatchObject({ failure: ChatFailure.gone, code: 'channel_not_found' });
    await expect(failure).rejects.toThrow(/check `-c channelId`.*\/invite @Gumshoe/);
  });
});
