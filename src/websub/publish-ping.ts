/**
 * A publish ping: tells a hub that a topic changed, so it fetches the topic and pushes it to
 * its subscribers. WebSub (W3C, 2018) leaves the publisher-hub protocol to the hub (§6); the
 * form every public hub accepts (PubSubHubbub 0.4 §7, websub.rocks, Superfeedr, Google's) is
 * `hub.mode=publish&hub.url=<topic>` as application/x-www-form-urlencoded.
 */
import type { OneShotRequester } from '../ingest/fetch/index.ts';
import type { RequestOutcome } from './outbox-outcome.ts';

export async function pingHub(http: OneShotRequester, hub: string, topicUrl: string, signal?: AbortSignal): Promise<RequestOutcome> {
  const body = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topicUrl }).toString();
  const response = await http.request({ method: 'POST', url: hub, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal });
  // Hubs answer 204 (§6 convention) or 200/202; anything else is worth another try.
  if (response.status >= 200 && response.status < 300) return { result: 'sent' };
  return { result: 'failed', error: `hub ${hub} answered ${response.status} to the publish ping for ${topicUrl}` };
}
