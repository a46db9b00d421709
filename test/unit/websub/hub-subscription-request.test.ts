import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_SECONDS, MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, readSubscriptionRequest } from '../../../src/websub/hub-subscription-request.ts';

const TOPIC = 'https://news.example/topics/korea/atom.xml';
const read = (fields: Record<string, string>) =>
  readSubscriptionRequest(
    (name) => fields[name],
    (url) => url === TOPIC,
  );
const base = { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'https://reader.example/cb?user=1' };

describe('a subscription request to the built-in hub (WebSub §5.1)', () => {
  it('takes the fields as given, with the default lease and no secret', () => {
    expect(read(base)).toEqual({
      mode: 'subscribe',
      topic: TOPIC,
      callback: 'https://reader.example/cb?user=1',
      leaseSeconds: DEFAULT_LEASE_SECONDS,
      secret: null,
    });
  });

  it('treats the lease as a hint, kept within the hub range', () => {
    expect(read({ ...base, 'hub.lease_seconds': '1' })).toMatchObject({ leaseSeconds: MIN_LEASE_SECONDS });
    expect(read({ ...base, 'hub.lease_seconds': '999999999' })).toMatchObject({ leaseSeconds: MAX_LEASE_SECONDS });
    expect(read({ ...base, 'hub.lease_seconds': '3600' })).toMatchObject({ leaseSeconds: 3600 });
  });

  it('accepts a secret of 199 bytes and refuses one of 200 (less than 200 bytes)', () => {
    expect(read({ ...base, 'hub.secret': 'é'.repeat(99) + 'x' })).toMatchObject({ secret: 'é'.repeat(99) + 'x' });
    expect(read({ ...base, 'hub.secret': 'é'.repeat(100) })).toMatchObject({ code: 'invalid_secret' });
  });

  it('refuses a topic that is not one of our documents, and a non-http callback', () => {
    expect(read({ ...base, 'hub.topic': 'https://news.example/topics/korea/atom.xml?x' })).toMatchObject({ code: 'unknown_topic' });
    expect(read({ ...base, 'hub.callback': 'javascript:alert(1)' })).toMatchObject({ code: 'invalid_callback' });
  });
});
