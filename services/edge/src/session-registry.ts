import type { Connection } from './connection.js';

/** Bound sessions of this edge: full JID → connection, session id → connection. */
export class SessionRegistry {
  private readonly byJid = new Map<string, Connection>();
  private readonly byId = new Map<string, Connection>();

  /** Registers a bound connection; returns the connection it replaces (same full JID), if any. */
  bind(connection: Connection): Connection | undefined {
    const session = connection.session;
    if (session === null) throw new Error('bind() needs a connection with a session');
    const replaced = this.byJid.get(session.jid);
    this.byJid.set(session.jid, connection);
    this.byId.set(session.id, connection);
    return replaced === connection ? undefined : replaced;
  }

  /** Forgets a connection's session (only where it is still the registered one). */
  unbind(connection: Connection): void {
    const session = connection.session;
    if (session === null) return;
    if (this.byJid.get(session.jid) === connection) this.byJid.delete(session.jid);
    if (this.byId.get(session.id) === connection) this.byId.delete(session.id);
  }

  byJidOf(fullJid: string): Connection | undefined {
    return this.byJid.get(fullJid);
  }

  bySessionId(sessionId: string): Connection | undefined {
    return this.byId.get(sessionId);
  }

  get size(): number {
    return this.byId.size;
  }
}
