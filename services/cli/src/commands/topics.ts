import type { Bus, TopicDescription, TopicSpec } from '@onlinetime/bus';
import { describeVariables, parsers, readConfig, type VariableSpec } from '@onlinetime/config';
import { OnlinetimeError, isOnlinetimeError } from '@onlinetime/errors';
import { TOPICS, TOPIC_DEFAULTS } from '@onlinetime/events';

import { parseArgs } from '../args.js';
import { EXIT, type Command, type CommandContext } from '../command.js';
import { CLI_LOG_LEVEL, KAFKA_BROKERS_REQUIRED, cliLogger, openBus } from '../ops/environment.js';
import { fail, printJson, say } from '../ops/output.js';

const partitions = (
  name: string,
  topic: string,
  value: number,
): VariableSpec<number> & { default: string } => ({
  name,
  description: `partitions of ${topic} when created`,
  default: String(value),
  parse: parsers.integer(1, 10_000),
});
const retention = (
  name: string,
  topic: string,
  value: number,
): VariableSpec<number> & { default: string } => ({
  name,
  description: `retention.ms of ${topic} when created (-1 = keep forever)`,
  default: String(value),
  parse: parsers.integer(-1, Number.MAX_SAFE_INTEGER),
});

const VARIABLES = {
  kafkaBrokers: KAFKA_BROKERS_REQUIRED,
  sessionsPartitions: partitions('SESSIONS_PARTITIONS', TOPICS.sessions, TOPIC_DEFAULTS.sessions.partitions),
  sessionsRetention: retention('SESSIONS_RETENTION_MS', TOPICS.sessions, TOPIC_DEFAULTS.sessions.retentionMs),
  edgesRetention: retention('EDGES_RETENTION_MS', TOPICS.edges, TOPIC_DEFAULTS.edges.retentionMs),
  iqPartitions: partitions('IQ_PARTITIONS', TOPICS.iq, TOPIC_DEFAULTS.iq.partitions),
  iqRetention: retention('IQ_RETENTION_MS', TOPICS.iq, TOPIC_DEFAULTS.iq.retentionMs),
  logLevel: CLI_LOG_LEVEL,
};

const HELP = `usage: onlinetime topics ensure [--json]     create the missing topics (existing ones are left as they are)
       onlinetime topics describe [--json]   partitions, offsets, message counts and retention

Topics: ${TOPICS.sessions} (keyed by bare JID; keep it as long as audits and rebuilds need it, by
default forever), ${TOPICS.edges} (always 1 partition: one reaper sees every edge in order), ${TOPICS.iq}.
Each edge creates its own reply topic xmpp.edge.<edgeId> when it starts.
\`ensure\` never changes an existing topic; it warns when one differs from the configuration (Kafka can
add partitions with kafka-topics --alter, but that moves keys between partitions: do it only with the
workers stopped and drained).

environment:
${describeVariables(VARIABLES)}

exit status: 0 done, 1 a topic is missing (describe) or Kafka failed, 2 usage or configuration error`;

function retentionText(ms: number | null): string {
  if (ms === null) return 'unknown';
  return ms < 0 ? 'forever' : `${ms} ms`;
}

async function describeOne(bus: Bus, topic: string): Promise<TopicDescription | null> {
  try {
    const [description] = await bus.describeTopics([topic]);
    return description ?? null;
  } catch (err) {
    if (isOnlinetimeError(err) && err.code === 'BUS_TOPIC_MISSING') return null;
    throw err;
  }
}

function messages(d: TopicDescription): number {
  return d.partitions.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
}

async function ensure(
  context: CommandContext,
  bus: Bus,
  specs: readonly TopicSpec[],
  json: boolean,
): Promise<number> {
  const before = new Map<string, TopicDescription | null>();
  for (const spec of specs) before.set(spec.topic, await describeOne(bus, spec.topic));
  await bus.ensureTopics(specs);
  const report = [];
  for (const spec of specs) {
    const existed = before.get(spec.topic) ?? null;
    const now = existed ?? (await describeOne(bus, spec.topic));
    if (now === null)
      return fail(context, 'topics', `${spec.topic} still does not exist after creating it`, EXIT.failure);
    const warnings: string[] = [];
    if (now.partitions.length !== spec.partitions) {
      warnings.push(`has ${now.partitions.length} partitions, configured ${spec.partitions}: left as it is`);
    }
    if (now.retentionMs !== null && now.retentionMs !== spec.retentionMs) {
      warnings.push(
        `retention ${retentionText(now.retentionMs)}, configured ${retentionText(spec.retentionMs)}: left as it is`,
      );
    }
    for (const w of warnings) context.stderr.write(`onlinetime topics: warning: ${spec.topic} ${w}\n`);
    report.push({
      topic: spec.topic,
      status: existed === null ? 'created' : 'exists',
      partitions: now.partitions.length,
      retentionMs: now.retentionMs,
      warnings,
    });
  }
  if (json) printJson(context, report);
  else
    for (const r of report)
      say(
        context,
        `${r.topic}\t${r.status}\tpartitions=${r.partitions}\tretention=${retentionText(r.retentionMs)}`,
      );
  return EXIT.ok;
}

async function describe(context: CommandContext, bus: Bus, json: boolean): Promise<number> {
  const report = [];
  let missing = 0;
  for (const topic of [TOPICS.sessions, TOPICS.edges, TOPICS.iq]) {
    const d = await describeOne(bus, topic);
    if (d === null) missing += 1;
    report.push(
      d === null
        ? { topic, exists: false as const }
        : {
            topic,
            exists: true as const,
            messages: messages(d),
            retentionMs: d.retentionMs,
            partitions: d.partitions,
          },
    );
  }
  if (json) printJson(context, report);
  else {
    for (const r of report) {
      if (!r.exists) {
        say(context, `${r.topic}: missing (run \`onlinetime topics ensure\`)`);
        continue;
      }
      say(
        context,
        `${r.topic}: ${r.partitions.length} partitions, ${r.messages} messages, retention ${retentionText(r.retentionMs)}`,
      );
      for (const p of r.partitions) say(context, `  partition ${p.partition}: offsets ${p.low}..${p.high}`);
    }
  }
  return missing > 0 ? EXIT.failure : EXIT.ok;
}

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'create (topics ensure) or show (topics describe) the Kafka topics',
  help: () => HELP,
  async run(context) {
    const args = parseArgs(context.argv, { values: [], flags: ['json'] });
    const [action, ...extra] = args.positionals;
    if (action !== 'ensure' && action !== 'describe') {
      throw new OnlinetimeError(
        'USAGE',
        action === undefined ? 'missing action (ensure or describe)' : `unknown action "${action}"`,
      );
    }
    if (extra.length > 0) throw new OnlinetimeError('USAGE', `unexpected argument "${extra[0]}"`);
    const config = readConfig(VARIABLES, context.env);
    const logger = cliLogger(context.env, 'topics');
    const bus = openBus(config.kafkaBrokers, 'topics', logger);
    const json = args.options.has('json');
    try {
      if (action === 'describe') return await describe(context, bus, json);
      return await ensure(
        context,
        bus,
        [
          {
            topic: TOPICS.sessions,
            partitions: config.sessionsPartitions,
            retentionMs: config.sessionsRetention,
          },
          {
            topic: TOPICS.edges,
            partitions: TOPIC_DEFAULTS.edges.partitions,
            retentionMs: config.edgesRetention,
          },
          { topic: TOPICS.iq, partitions: config.iqPartitions, retentionMs: config.iqRetention },
        ],
        json,
      );
    } finally {
      await bus.stop();
    }
  },
};
