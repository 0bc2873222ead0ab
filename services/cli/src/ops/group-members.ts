import type { Bus } from '@onlinetime/bus';

/**
 * A bus that can tell how many members a consumer group has right now (Kafka: DescribeGroups).
 * The Bus port does not promise it; `rebuild` uses it when the bus offers it.
 */
export interface GroupMembersProbe {
  activeMembers(groupId: string): Promise<number>;
}

export function canCountMembers(bus: Bus): bus is Bus & GroupMembersProbe {
  return typeof (bus as Partial<GroupMembersProbe>).activeMembers === 'function';
}
