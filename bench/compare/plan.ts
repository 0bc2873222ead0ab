/** The scenarios of one comparison run, as xmpp-load arguments (server-independent part). */
export interface ScenarioSpec {
  readonly id: string;
  readonly title: string;
  readonly args: readonly string[];
  /** The figure compared between servers, and whether more is better. */
  readonly metric: 'rate' | 'rssPerConnectionKb' | 'loginsPerSecond';
  readonly higherIsBetter: boolean;
  /** Per-server extra arguments (the server's pid, our MySQL URL). */
  readonly needsPid?: boolean;
  readonly needsMysql?: boolean;
  /**
   * Restart the server before this scenario. Memory figures need it: after the load of the earlier
   * scenarios a heap holds garbage that the idle connections can fill without the RSS growing.
   */
  readonly freshStart?: boolean;
}

export interface PlanOptions {
  readonly seconds: number;
  readonly warmup: number;
  readonly vcardUsers: number;
  readonly idleConnections: number;
  readonly logins: number;
}

export function buildPlan(o: PlanOptions): ScenarioSpec[] {
  const iq = (kind: string, outstanding: number, addressing: string, rate = 0): string[] => [
    kind,
    '--clients',
    '50',
    '--outstanding',
    String(outstanding),
    '--seconds',
    String(o.seconds),
    '--warmup',
    String(o.warmup),
    '--addressing',
    addressing,
    '--target-users',
    String(o.vcardUsers),
    '--rate',
    String(rate),
  ];
  return [
    {
      id: 'vcard-50x1',
      title: 'vCard get, 50 connections × 1 outstanding (self and others)',
      args: iq('vcard', 1, 'mix'),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'vcard-50x8',
      title: 'vCard get, 50 connections × 8 outstanding (self and others)',
      args: iq('vcard', 8, 'mix'),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'onlinetime-50x8',
      title: 'online-time query, 50 × 8, to other users',
      args: iq('onlinetime', 8, 'others'),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'last-50x8',
      title: 'last activity (XEP-0012), 50 × 8, to other users',
      args: iq('last', 8, 'others'),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'vcard-1000ps',
      title: 'vCard get offered at 1,000 IQ/s (latency)',
      args: iq('vcard', 8, 'mix', 1000),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'onlinetime-1000ps',
      title: 'online-time query offered at 1,000 IQ/s (latency)',
      args: iq('onlinetime', 8, 'others', 1000),
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'login-c50',
      title: 'logins (SCRAM-SHA-1), concurrency 50',
      args: ['login', '--logins', String(o.logins), '--concurrency', '50'],
      metric: 'rate',
      higherIsBetter: true,
    },
    {
      id: 'churn-50ps',
      title: 'churn: 50 sessions/s, each held 1 s',
      args: [
        'churn',
        '--rate',
        '50',
        '--hold-ms',
        '1000',
        '--seconds',
        String(o.seconds),
        '--probe-every',
        '5',
      ],
      metric: 'rate',
      higherIsBetter: true,
      needsMysql: true,
    },
    {
      id: `idle-${o.idleConnections}`,
      title: `idle authenticated connections (${o.idleConnections}): server RSS per connection`,
      args: ['idle', '--connections', String(o.idleConnections), '--concurrency', '50', '--settle', '3'],
      metric: 'rssPerConnectionKb',
      higherIsBetter: false,
      needsPid: true,
      freshStart: true,
    },
  ];
}
