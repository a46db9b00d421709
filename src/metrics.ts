/**
 * Prometheus metrics (prom-client), one registry per process, served at GET /metrics.
 * Counters are updated where things happen; gauges that need the database (poll lag,
 * failing sources) are read when scraped, through a function the composition root gives.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  polls: Counter<'outcome' | 'code'>;
  fetchSeconds: Histogram<'outcome'>;
  bytesFetched: Counter<'host'>;
  hostRequests: Counter<'host' | 'outcome'>;
  items: Counter<'change'>;
  storiesMerged: Counter<'via'>;
  regenerations: Counter<'kind'>;
  pollLagSeconds: Gauge;
  sourcesFailing: Gauge;
  sourcesStale: Gauge;
  digestsPublished: Counter<'topic'>;
  websubRequests: Counter<'kind' | 'outcome'>;
  websubPushes: Counter<'outcome'>;
  websubHubRequests: Counter<'mode' | 'outcome'>;
}

export interface DatabaseGauges {
  /** Seconds the most overdue enabled source is late (0 when none is). */
  pollLagSeconds(): Promise<number>;
  sourcesFailing(): Promise<number>;
  /** Sources that answer but have published nothing for far longer than usual (src/admin/source-view-stale.ts). */
  sourcesStale(): Promise<number>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // prom-client's default metrics carry their own process_/nodejs_ names: the prefix adds the service's only.
  collectDefaultMetrics({ register: registry, prefix: 'tidings_' });
  const registers = [registry];
  return {
    registry,
    polls: new Counter({
      name: 'tidings_polls_total',
      help: 'Source polls by outcome (stored, not_modified, failed) and error code',
      labelNames: ['outcome', 'code'],
      registers,
    }),
    fetchSeconds: new Histogram({
      name: 'tidings_fetch_duration_seconds',
      help: 'Time to fetch one source (request chain, body included)',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60],
      registers,
    }),
    bytesFetched: new Counter({ name: 'tidings_fetched_bytes_total', help: 'Feed body bytes received, by host', labelNames: ['host'], registers }),
    hostRequests: new Counter({ name: 'tidings_host_requests_total', help: 'Feed requests by host and outcome', labelNames: ['host', 'outcome'], registers }),
    items: new Counter({ name: 'tidings_items_total', help: 'Items written, by change (new, updated)', labelNames: ['change'], registers }),
    storiesMerged: new Counter({
      name: 'tidings_stories_merged_total',
      help: 'New items that joined an existing story, by how (canonical-url, text)',
      labelNames: ['via'],
      registers,
    }),
    regenerations: new Counter({
      name: 'tidings_feed_regenerations_total',
      help: 'Rendered documents that changed, by kind (feed, digest)',
      labelNames: ['kind'],
      registers,
    }),
    pollLagSeconds: new Gauge({ name: 'tidings_poll_lag_seconds', help: 'How late the most overdue enabled source is', registers }),
    sourcesFailing: new Gauge({ name: 'tidings_sources_failing', help: 'Enabled sources whose last poll failed', registers }),
    sourcesStale: new Gauge({
      name: 'tidings_sources_stale',
      help: 'Sources that answer but published nothing new for 4 usual gaps and a week at least',
      registers,
    }),
    digestsPublished: new Counter({ name: 'tidings_digests_published_total', help: 'Digests published, by topic', labelNames: ['topic'], registers }),
    websubRequests: new Counter({
      name: 'tidings_websub_requests_total',
      help: 'WebSub requests by kind (publish, verify, deliver) and outcome (sent, failed, gave_up, refused, gone)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    websubPushes: new Counter({
      name: 'tidings_websub_pushes_total',
      help: 'Content pushed to WebSub callbacks, by outcome (stored, or why it was rejected)',
      labelNames: ['outcome'],
      registers,
    }),
    websubHubRequests: new Counter({
      name: 'tidings_websub_hub_requests_total',
      help: 'Subscribe and unsubscribe requests sent to WebSub hubs, by mode and outcome (accepted, failed)',
      labelNames: ['mode', 'outcome'],
      registers,
    }),
  };
}

/** The metrics text, with database gauges refreshed first (left as they were if the database is down). */
export async function renderMetrics(metrics: Metrics, gauges: DatabaseGauges | null): Promise<string> {
  if (gauges) {
    try {
      const [lag, failing, stale] = await Promise.all([gauges.pollLagSeconds(), gauges.sourcesFailing(), gauges.sourcesStale()]);
      metrics.pollLagSeconds.set(lag);
      metrics.sourcesFailing.set(failing);
      metrics.sourcesStale.set(stale);
    } catch {
      // An unreachable database must not take /metrics down with it.
    }
  }
  return metrics.registry.metrics();
}
