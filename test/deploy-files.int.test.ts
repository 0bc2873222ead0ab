import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs on the development machines: these tests check the structure of the
// compose file and the Dockerfile instead, against what the code actually reads.

const root = resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(resolve(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

/** Every environment variable name the product's config specs read. */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of [
    'packages/config/src/common-variables.ts',
    'services/edge/src/config.ts',
    'services/sessions/src/config.ts',
    'services/responder/src/config.ts',
  ]) {
    for (const match of read(file).matchAll(/name: '([A-Z0-9_]+)'/g)) names.add(match[1] as string);
  }
  return names;
}

describe('docker-compose.yml', () => {
  it('runs Kafka (KRaft) and MySQL 8.4 with health checks', () => {
    expect(services['kafka']?.image).toMatch(/^apache\/kafka:/);
    expect(services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(services['mysql']?.image).toBe('mysql:8.4');
    expect(services['kafka']?.healthcheck).toBeDefined();
    expect(services['mysql']?.healthcheck).toBeDefined();
  });

  it('runs two edges behind a TCP load balancer on 5222, two sessions workers, two responders', () => {
    const byCommand = (command: string): string[] =>
      Object.entries(services)
        .filter(([, s]) => s.command?.[0] === command)
        .map(([name]) => name);
    expect(byCommand('edge')).toHaveLength(2);
    expect(byCommand('sessions')).toHaveLength(2);
    expect(byCommand('responder')).toHaveLength(2);
    expect(services['xmpp-lb']?.ports).toContain('5222:5222');
    const haproxy = read('deploy/haproxy.cfg');
    for (const edge of byCommand('edge')) expect(haproxy).toContain(`${edge}:5222`);
  });

  it('starts services only after the one-shot setup job, which waits for healthy Kafka and MySQL', () => {
    expect(services['setup']?.command).toEqual(['setup']);
    expect(services['setup']?.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      mysql: { condition: 'service_healthy' },
    });
    for (const name of ['edge1', 'edge2', 'sessions1', 'sessions2', 'responder1', 'responder2']) {
      expect(services[name]?.depends_on?.['setup']?.condition).toBe('service_completed_successfully');
    }
  });

  it('sets only environment variables that the code reads, and gives edges distinct ids', () => {
    const known = variablesReadByCode();
    for (const [name, service] of Object.entries(services)) {
      if (service.image?.startsWith('onlinetime') !== true) continue;
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(known, `${name} sets ${variable}`).toContain(variable);
      }
    }
    expect(services['edge1']?.environment?.['EDGE_ID']).not.toBe(services['edge2']?.environment?.['EDGE_ID']);
    expect(services['edge1']?.environment?.['MYSQL_URL']).toMatch(/^mysql:\/\/.*@mysql:3306\//);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in stages on the pinned Node version and ships compiled JS with production dependencies', () => {
    const nvmrc = read('.nvmrc').trim();
    for (const from of dockerfile.matchAll(/^FROM node:(\d+)/gm)) expect(from[1]).toBe(nvmrc);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('runs as a non-root user with node as the entry point, so signals reach the process', () => {
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(
      /^ENTRYPOINT \["node", "--max-semi-space-size=32", "services\/cli\/bin\/onlinetime.js"\]$/m,
    );
    expect(read('services/cli/package.json')).toContain('"onlinetime": "./bin/onlinetime.js"');
  });
});
