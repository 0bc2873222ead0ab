/** The small part of @xmpp/client 0.14 the tests use (the package ships no types). */
declare module '@xmpp/client' {
  import type { Element } from '@xmpp/xml';

  export interface Jid {
    toString(): string;
    bare(): Jid;
  }
  export interface IqCaller {
    request(stanza: Element, timeout?: number): Promise<Element>;
    get(element: Element, to?: string, timeout?: number): Promise<Element>;
  }
  export interface XmppClient {
    start(): Promise<Jid>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    on(event: 'online', listener: (jid: Jid) => void): void;
    on(event: 'error', listener: (err: Error & { condition?: string }) => void): void;
    on(event: 'stanza', listener: (stanza: Element) => void): void;
    on(event: 'status', listener: (status: string) => void): void;
    readonly iqCaller: IqCaller;
    readonly socket: { destroy(): void } | null;
    readonly jid: Jid | null;
    readonly reconnect: { stop(): void };
  }
  export interface ClientOptions {
    service: string;
    domain: string;
    username?: string;
    password?: string;
    resource?: string;
    credentials?: (
      authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>,
      mechanisms: string[],
    ) => Promise<void>;
  }
  export function client(options: ClientOptions): XmppClient;
  export { xml } from '@xmpp/xml';
}
