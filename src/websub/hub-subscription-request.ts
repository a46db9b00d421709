/**
 * A subscription request to the built-in hub (W3C WebSub §5.1), checked field by field:
 * hub.mode (subscribe or unsubscribe), hub.topic (one of our own documents), hub.callback
 * (an http(s) URL), hub.lease_seconds (a hint, clamped to the hub's range) and hub.secret
 * (fewer than 200 bytes, §5.1). Other parameters are ignored, as §5.1 asks.
 */

export interface SubscriptionRequest {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  leaseSeconds: number;
  secret: string | null;
}

/** A refused request: a stable code and a message for the subscriber's developer. */
export interface SubscriptionRefusal {
  code: 'invalid_mode' | 'unknown_topic' | 'invalid_callback' | 'invalid_lease' | 'invalid_secret';
  message: string;
}

export const DEFAULT_LEASE_SECONDS = 10 * 86_400;
export const MIN_LEASE_SECONDS = 300;
export const MAX_LEASE_SECONDS = 30 * 86_400;
const MAX_SECRET_BYTES = 199;
const MAX_CALLBACK_LENGTH = 2048;

export function readSubscriptionRequest(
  field: (name: string) => string | undefined,
  isOwnTopic: (url: string) => boolean,
): SubscriptionRequest | SubscriptionRefusal {
  const mode = field('hub.mode');
  if (mode !== 'subscribe' && mode !== 'unsubscribe') return { code: 'invalid_mode', message: 'hub.mode must be "subscribe" or "unsubscribe"' };
  const topic = field('hub.topic') ?? '';
  if (!isOwnTopic(topic)) {
    return { code: 'unknown_topic', message: `hub.topic must be the URL of one of this service's topic or digest documents (got "${topic.slice(0, 200)}")` };
  }
  const callback = field('hub.callback') ?? '';
  if (!isHttpUrl(callback) || callback.length > MAX_CALLBACK_LENGTH) {
    return { code: 'invalid_callback', message: `hub.callback must be an http(s) URL of at most ${MAX_CALLBACK_LENGTH} characters` };
  }
  const lease = field('hub.lease_seconds');
  let leaseSeconds = DEFAULT_LEASE_SECONDS;
  if (lease !== undefined && lease !== '') {
    if (!/^\d{1,10}$/.test(lease)) return { code: 'invalid_lease', message: 'hub.lease_seconds must be a whole number of seconds' };
    // §5.1: the hub decides the lease; the subscriber's value is a hint.
    leaseSeconds = Math.min(MAX_LEASE_SECONDS, Math.max(MIN_LEASE_SECONDS, Number(lease)));
  }
  const secret = field('hub.secret');
  if (secret !== undefined && (secret === '' || Buffer.byteLength(secret) > MAX_SECRET_BYTES)) {
    return { code: 'invalid_secret', message: 'hub.secret must be 1 to 199 bytes (WebSub §5.1: less than 200 bytes)' };
  }
  return { mode, topic, callback, leaseSeconds, secret: secret ?? null };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
