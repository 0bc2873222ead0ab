import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

import type { Bus, Subscription } from '@onlinetime/bus';
import { ConfigError } from '@onlinetime/errors';
import { edgeTopic, type SessionStopReason } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import type { Metrics } from '@onlinetime/metrics';
import { STREAM_CLOSE, streamErrorElement, streamHeader } from '@onlinetime/stanza';
import type { UsersRepository } from '@onlinetime/store';

import { createAuthThrottle } from './auth-throttle.js';
import { edgeConfigProblems, type EdgeConfig } from './config.js';
import { batchCredentialLookups } from './credential-batch.js';
import { Connection, type ConnectionLimits } from './connection.js';
import type { EdgeContext, EdgeEvents } from './context.js';
import { createDispatcher } from './dispatch.js';
import { createListener } from './listener.js';
import { createEdgeMetrics } from './metrics.js';
import { createOutbox } from './outbox.js';
import { PendingIqs } from './pending-iqs.js';
import { answerTimeout, createReplyHandler } from './replies.js';
import { edgeEvent, sessionStopped } from './session-events.js';
import { SessionRegistry } from './session-registry.js';
import { loadTlsContext } from './tls-context.js';

export interface EdgeDeps {
  readonly config: EdgeConfig;
  readonly bus: Bus;
  /** With `getCredentialsMany`, the lookups of concurrent logins are batched (one query per turn). */
  readonly users: Pick<UsersRepository, 'getCredentials'> &
    Partial<Pick<UsersRepository, 'getCredentialsMany'>>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: { now(): number };
}

export interface Edge {
  /** Loads TLS, subscribes to the reply topic, listens, publishes edge.started. Once per edge. */
  start(): Promise<{ port: number }>;
  /** Graceful: stop accepting, <system-shutdown/> every stream, publish their session.stopped and edge.stopped, flush. */
  stop(reason?: string): Promise<void>;
  /** Started, not stopping, and the event buffer is not full. */
  isReady(): boolean;
  readonly events: EventEmitter<EdgeEvents>;
  readonly edgeId: string;
  /** The current boot id (null before start). */
  bootId(): string | null;
  sessionCount(): number;
  /** Open client connections (bound or not). */
  connectionCount(): number;
}

const REPLY_RETENTION_MS = 3_600_000;

export function createEdge(deps: EdgeDeps): Edge {
  const { config, logger } = deps;
  const problems = edgeConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  const now = deps.clock === undefined ? Date.now : () => (deps.clock as { now(): number }).now();
  const metrics = createEdgeMetrics(deps.metrics);
  const events = new EventEmitter<EdgeEvents>();
  const ctx: EdgeContext = {
    config,
    logger,
    metrics,
    bus: deps.bus,
    users: batchCredentialLookups(deps.users),
    registry: new SessionRegistry(),
    pending: new PendingIqs({
      timeoutMs: config.iqTimeoutMs,
      maxPerSession: config.maxPendingIqs,
      onTimeout: (iq) => answerTimeout(ctx, iq),
      now,
    }),
    outbox: createOutbox({
      bus: deps.bus,
      logger,
      capacity: config.outboxCapacity,
      onDepth: (depth) => metrics.outboxDepth.set(depth),
    }),
    throttle: createAuthThrottle({
      failuresBeforeDelay: config.authFailuresBeforeDelay,
      delayMs: config.authFailureDelayMs,
      failuresBeforeBlock: config.authFailuresBeforeBlock,
      windowMs: config.authFailureWindowMs,
      blockMs: config.authBlockMs,
      logger,
      now,
    }),
    policy: { domains: config.domains, starttls: config.starttls, allowPlaintext: config.allowPlaintext },
    events,
    now,
    identity: { edgeId: config.edgeId, bootId: '' },
    tls: null,
  };
  const limits: ConnectionLimits = {
    parser: { maxDepth: config.maxDepth },
    maxStanzaBytes: config.maxStanzaBytes,
    maxStanzaBytesPreauth: config.maxStanzaBytesPreauth,
    authTimeoutMs: config.authTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    keepaliveIntervalMs: config.keepaliveIntervalMs,
    maxBytesPerSecond: config.maxBytesPerSecond,
    maxWriteBufferBytes: config.maxWriteBufferBytes,
  };
  const connections = new Set<Connection>();
  const dispatch = createDispatcher(ctx);
  const listener = createListener(accept, (err) => logger.error({ err }, 'XMPP listener error'));
  let phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  let subscription: Subscription | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let nextId = 0;

  function accept(socket: Socket): void {
    if (phase !== 'running' || connections.size >= config.maxConnections) {
      metrics.connectionsRejected.inc({ reason: phase === 'running' ? 'max-connections' : 'not-running' });
      const condition = phase === 'running' ? 'resource-constraint' : 'system-shutdown';
      socket.end(
        streamHeader({ from: config.domains[0] ?? 'localhost', id: 'refused' }) +
          streamErrorElement(condition).toString() +
          STREAM_CLOSE,
      );
      setTimeout(() => socket.destroy(), 2_000).unref();
      return;
    }
    const connection = new Connection({
      id: `c${++nextId}`,
      socket,
      defaultDomain: config.domains[0] ?? 'localhost',
      limits,
      logger,
      metrics,
      handle: dispatch,
      onClosed,
    });
    connections.add(connection);
    metrics.connections.inc();
  }

  function onClosed(connection: Connection, reason: SessionStopReason): void {
    connections.delete(connection);
    metrics.connections.dec();
    const session = connection.session;
    if (session === null) return;
    ctx.registry.unbind(connection);
    ctx.pending.dropSession(session.id);
    ctx.outbox.enqueue(
      sessionStopped(ctx.identity, { sessionId: session.id, jid: session.jid }, reason, now()),
    );
    metrics.sessions.dec();
    logger.info({ sessionId: session.id, jid: session.jid, reason }, 'session stopped');
    events.emit('session.stopped', { sessionId: session.id, jid: session.jid, reason });
  }

  return {
    events,
    edgeId: config.edgeId,
    bootId: () => (ctx.identity.bootId === '' ? null : ctx.identity.bootId),
    sessionCount: () => ctx.registry.size,
    connectionCount: () => connections.size,
    isReady: () => phase === 'running' && !ctx.outbox.isFull(),

    async start() {
      if (phase !== 'new') throw new Error('an edge starts once; create a new one to start again');
      phase = 'starting';
      ctx.tls = config.starttls
        ? await loadTlsContext(
            { certFile: config.tlsCert, keyFile: config.tlsKey, domains: config.domains },
            logger,
          )
        : null;
      ctx.identity = { edgeId: config.edgeId, bootId: randomUUID() };
      const topic = edgeTopic(config.edgeId);
      await deps.bus.ensureTopics([{ topic, partitions: 1, retentionMs: REPLY_RETENTION_MS }]);
      subscription = await deps.bus.subscribe({
        groupId: `onlinetime-edge-${config.edgeId}`,
        topics: [topic],
        fromBeginning: false,
        // Replies are worth nothing after the IQ timeout and the edge drops those it no longer
        // waits for: committing once a second spares the reply path a round trip per batch.
        commitIntervalMs: 1_000,
        handleBatch: createReplyHandler(ctx),
      });
      await subscription.ready;
      const port = await listener.listen(config.host, config.port);
      phase = 'running';
      ctx.outbox.enqueue(edgeEvent(ctx.identity, 'edge.started', 0, now()));
      heartbeat = setInterval(() => {
        if (!ctx.outbox.isFull())
          ctx.outbox.enqueue(edgeEvent(ctx.identity, 'edge.heartbeat', ctx.registry.size, now()));
      }, config.heartbeatIntervalMs);
      heartbeat.unref();
      logger.info({ ...ctx.identity, port, domains: config.domains }, 'edge started');
      return { port };
    },

    async stop(reason = 'stop requested') {
      if (phase !== 'running' && phase !== 'starting') return;
      phase = 'stopping';
      logger.info({ ...ctx.identity, reason, connections: connections.size }, 'edge stopping');
      clearInterval(heartbeat);
      const closed = listener.close();
      for (const connection of [...connections])
        connection.streamError('system-shutdown', undefined, 'shutdown');
      ctx.outbox.enqueue(edgeEvent(ctx.identity, 'edge.stopped', 0, now()));
      const flushed = await ctx.outbox.flush(config.shutdownTimeoutMs);
      if (!flushed)
        logger.error({ depth: ctx.outbox.depth() }, 'edge stopped before every event was published');
      ctx.outbox.stop();
      await subscription?.stop();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      phase = 'stopped';
      logger.info({ ...ctx.identity, flushed }, 'edge stopped');
    },
  };
}
