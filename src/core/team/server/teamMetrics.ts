import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventRefused } from '../../receiver/createReceiver';
import type { CallEvent } from '../../telecmi/eventSchema';
import type { PublishOutcome } from './teamPublisher';

export interface TeamMetricsSources {
  /** Events waiting in the spool for the broker. */
  spooled: () => number;
  brokerConnected: () => boolean;
  /** Each agent's desktops whose presence says online; undefined where the receiver cannot tell (a broker the operator runs). */
  desktopsOnline?: () => ReadonlyMap<string, number>;
  /** Messages the broker dropped since it started, its queues full (the team's Mosquitto says). */
  brokerDropped?: () => number | undefined;
}

/** Seconds from an event's arrival to the broker's acknowledgement: a healthy broker answers in milliseconds. */
const deliveryBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * What an operator's Prometheus scrapes from the receiver (`GET /metrics`): events by kind and
 * what became of them, how long the broker took to take them, the broker link, the spool, the
 * desktops online (each agent's too), and the process's own figures (event-loop lag, memory, CPU).
 * Labels are kinds, outcomes and agent ids: no caller's number leaves through them.
 */
export function createTeamMetrics({ spooled, brokerConnected, desktopsOnline, brokerDropped }: TeamMetricsSources) {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = ['kind']) => new Counter({ name, help, labelNames, registers });
  const received = counter('telecmi_events_received_total', 'TeleCMI events accepted by this receiver');
  const published = counter('telecmi_events_published_total', 'Events the broker acknowledged at once');
  const spooledTotal = counter('telecmi_events_spooled_total', 'Events written to the spool while the broker was away or slow');
  const refused = counter('telecmi_events_refused_total', 'Events refused (an id the broker cannot take, or refused by it)');
  const passed = counter('telecmi_events_not_published_total', 'Events not published: a redelivery, or no desktop concerned', [
    'kind',
    'reason',
  ]);
  const delivery = new Histogram({
    name: 'telecmi_delivery_seconds',
    help: "From an event's arrival to the broker's acknowledgement of every publish it made",
    labelNames: ['kind'],
    buckets: deliveryBuckets,
    registers,
  });
  new Gauge({ name: 'telecmi_spool_depth', help: 'Events waiting in the spool', registers, collect: setTo(spooled) });
  new Gauge({
    name: 'telecmi_broker_connected',
    help: '1 while the broker link is up',
    registers,
    collect: setTo(() => (brokerConnected() ? 1 : 0)),
  });
  if (desktopsOnline) {
    const sum = (counts: ReadonlyMap<string, number>): number => [...counts.values()].reduce((total, count) => total + count, 0);
    new Gauge({
      name: 'telecmi_desktops_online',
      help: 'Desktops whose presence says online',
      registers,
      collect: setTo(() => sum(desktopsOnline())),
    });
    new Gauge({
      name: 'telecmi_agent_desktops_online',
      help: "An agent's desktops whose presence says online (0 for an agent with none: alert on it during their shift)",
      labelNames: ['agent'],
      registers,
      collect(this: Gauge) {
        try {
          const counts = desktopsOnline();
          this.reset();
          for (const [agent, count] of counts) this.set({ agent }, count);
        } catch {
          // The last values stand.
        }
      },
    });
  }
  if (brokerDropped) {
    new Gauge({
      name: 'telecmi_broker_dropped_messages',
      help: "Messages the broker dropped since it started: a desktop's queue was full (max_queued_messages)",
      registers,
      collect: setTo(() => brokerDropped() ?? 0),
    });
  }
  collectDefaultMetrics({ register: registry, prefix: 'telecmi_' });

  return {
    /** `ingest`, counted: what it resolves or throws is told by the event's kind. */
    instrument(ingest: (event: CallEvent) => Promise<PublishOutcome>): (event: CallEvent) => Promise<PublishOutcome> {
      return async (event) => {
        const kind = { kind: event.kind };
        received.inc(kind);
        const startedAt = performance.now();
        try {
          const outcome = await ingest(event);
          if (outcome === 'published') {
            published.inc(kind);
            delivery.observe(kind, (performance.now() - startedAt) / 1000);
          } else if (outcome === 'spooled') spooledTotal.inc(kind);
          else passed.inc({ ...kind, reason: outcome });
          return outcome;
        } catch (error) {
          if (error instanceof EventRefused) refused.inc(kind);
          throw error;
        }
      };
    },
    contentType: registry.contentType,
    text: (): Promise<string> => registry.metrics(),
  };
}

export type TeamMetrics = ReturnType<typeof createTeamMetrics>;

/** A source that fails (team.json unreadable a moment) keeps its last value: the rest of the scrape still answers. */
function setTo(read: () => number) {
  return function (this: Gauge): void {
    try {
      this.set(read());
    } catch {
      // The last value stands.
    }
  };
}
