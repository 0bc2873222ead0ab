import { OnlinetimeError } from './onlinetime-error.js';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** An RFC 6120 §8.3 stanza error: thrown by handlers, turned into an error reply at the boundary. */
export class StanzaError extends OnlinetimeError {
  readonly condition: string;
  readonly type: StanzaErrorType;
  readonly text: string | undefined;

  constructor(condition: string, type: StanzaErrorType, text?: string) {
    super(`STANZA_${condition.toUpperCase().replaceAll('-', '_')}`, text ?? condition, {
      context: { condition, type },
    });
    this.condition = condition;
    this.type = type;
    this.text = text;
  }
}

/** An RFC 6120 §4.9 stream error: the connection is closed after sending it. */
export class StreamError extends OnlinetimeError {
  readonly condition: string;
  readonly text: string | undefined;

  constructor(condition: string, text?: string) {
    super(`STREAM_${condition.toUpperCase().replaceAll('-', '_')}`, text ?? condition, {
      context: { condition },
    });
    this.condition = condition;
    this.text = text;
  }
}
