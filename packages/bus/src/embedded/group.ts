export type Assignment = Array<{ topic: string; partitions: number[] }>;

export interface GroupMember {
  readonly id: string;
  readonly topics: readonly string[];
  /** After each rebalance, with the partitions this member now holds. */
  assigned(assignment: Assignment): void;
  /** Something changed (a partition was released): look for work again. */
  wake(): void;
}

/**
 * One consumer group of the embedded bus: members, the assignment of partitions among them
 * (round robin, recomputed whenever a member joins or leaves), committed offsets, and leases that
 * keep a partition with one member at a time (a new owner waits until the old one finished the
 * batch in hand).
 */
export interface EmbeddedGroup {
  join(member: GroupMember): void;
  leave(member: GroupMember): void;
  readonly size: number;
  owner(topic: string, partition: number): string | undefined;
  committed(topic: string, partition: number): number | undefined;
  commit(topic: string, partition: number, next: number): void;
  /** Takes the partition's lease; false when another batch of it is being handled. */
  lease(topic: string, partition: number): boolean;
  release(topic: string, partition: number): void;
}

const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export function createEmbeddedGroup(partitionCount: (topic: string) => number): EmbeddedGroup {
  const members: GroupMember[] = [];
  const owners = new Map<string, string>();
  const committed = new Map<string, number>();
  const leased = new Set<string>();

  function rebalance(): void {
    owners.clear();
    const assignments = new Map<string, Assignment>(members.map((m) => [m.id, []]));
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    let turn = 0;
    for (const topic of topics) {
      const candidates = members.filter((m) => m.topics.includes(topic));
      const count = partitionCount(topic);
      for (let partition = 0; partition < count; partition += 1) {
        const member = candidates[turn % candidates.length]!;
        turn += 1;
        owners.set(tp(topic, partition), member.id);
        const mine = assignments.get(member.id)!;
        const entry = mine.find((a) => a.topic === topic);
        if (entry === undefined) mine.push({ topic, partitions: [partition] });
        else entry.partitions.push(partition);
      }
    }
    for (const member of members) member.assigned(assignments.get(member.id) ?? []);
  }

  return {
    join(member) {
      members.push(member);
      rebalance();
    },
    leave(member) {
      const index = members.indexOf(member);
      if (index === -1) return;
      members.splice(index, 1);
      rebalance();
    },
    get size() {
      return members.length;
    },
    owner: (topic, partition) => owners.get(tp(topic, partition)),
    committed: (topic, partition) => committed.get(tp(topic, partition)),
    commit(topic, partition, next) {
      committed.set(tp(topic, partition), next);
    },
    lease(topic, partition) {
      const key = tp(topic, partition);
      if (leased.has(key)) return false;
      leased.add(key);
      return true;
    },
    release(topic, partition) {
      leased.delete(tp(topic, partition));
      for (const member of members) member.wake();
    },
  };
}
