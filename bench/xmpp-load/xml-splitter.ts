/**
 * A minimal, fast splitter for an XMPP stream: it finds the stream header and each complete
 * top-level element (as raw text) without building a tree. The load tool only needs a stanza's
 * name, a few attributes and sometimes its inner text, so it never pays for a full parser.
 * It trusts the server (attribute values may contain '>' inside quotes; comments, CDATA and
 * processing instructions are skipped).
 */
export interface SplitterEvents {
  onStreamStart(header: string): void;
  onStanza(text: string): void;
  onStreamEnd(): void;
}

export class XmlSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private stanzaStart = -1;

  constructor(private readonly events: SplitterEvents) {}

  /** A new stream follows (after SASL success or STARTTLS): forget the old one. */
  reset(): void {
    this.depth = 0;
    this.stanzaStart = -1;
  }

  write(chunk: string): void {
    this.buf = this.buf.length === this.pos ? chunk : this.buf + chunk;
    const buf = this.buf;
    let i = this.pos;
    for (;;) {
      const lt = buf.indexOf('<', i);
      if (lt === -1) {
        i = buf.length;
        break;
      }
      const end = tagEnd(buf, lt);
      if (end === -1) {
        i = lt;
        break;
      }
      i = end + 1;
      const second = buf.charCodeAt(lt + 1);
      if (second === 0x3f /* ? */ || second === 0x21 /* ! */) continue;
      if (second === 0x2f /* / */) {
        this.depth -= 1;
        if (this.depth === 1) this.emitStanza(buf.slice(this.stanzaStart, i));
        else if (this.depth <= 0) {
          this.depth = 0;
          this.events.onStreamEnd();
        }
      } else if (buf.charCodeAt(end - 1) === 0x2f /* / */) {
        if (this.depth === 1) this.emitStanza(buf.slice(lt, i));
      } else if (this.depth === 0) {
        this.depth = 1;
        this.events.onStreamStart(buf.slice(lt, i));
      } else {
        if (this.depth === 1) this.stanzaStart = lt;
        this.depth += 1;
      }
    }
    // Keep only what is still needed: the open stanza, or the incomplete tag.
    const keepFrom = this.depth >= 2 ? Math.min(this.stanzaStart, i) : i;
    if (keepFrom > 0) {
      this.buf = buf.slice(keepFrom);
      if (this.stanzaStart >= 0) this.stanzaStart -= keepFrom;
      this.pos = i - keepFrom;
    } else {
      this.pos = i;
    }
  }

  private emitStanza(text: string): void {
    this.stanzaStart = -1;
    this.events.onStanza(text);
  }
}

/** Index of the '>' closing the markup that starts at `lt`, or -1 when it is not complete yet. */
function tagEnd(buf: string, lt: number): number {
  if (buf.startsWith('<!--', lt)) return endOf(buf, '-->', lt);
  if (buf.startsWith('<![CDATA[', lt)) return endOf(buf, ']]>', lt);
  let quote = 0;
  for (let j = lt + 1; j < buf.length; j += 1) {
    const c = buf.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return j;
  }
  return -1;
}

function endOf(buf: string, marker: string, from: number): number {
  const at = buf.indexOf(marker, from);
  return at === -1 ? -1 : at + marker.length - 1;
}

/** The element name of a stanza or tag text (`<iq type=...>` → `iq`). */
export function tagName(text: string): string {
  let j = 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x20 || c === 0x3e || c === 0x2f || c === 0x0a || c === 0x09 || c === 0x0d) break;
    j += 1;
  }
  return text.slice(1, j);
}

/** An attribute of the first tag of `text` (values are returned as written, not unescaped). */
export function attr(text: string, name: string): string | undefined {
  const close = tagEnd(text, 0);
  const head = close === -1 ? text : text.slice(0, close + 1);
  let from = 0;
  for (;;) {
    const at = head.indexOf(`${name}=`, from);
    if (at === -1) return undefined;
    const before = head.charCodeAt(at - 1);
    if (before === 0x20 || before === 0x0a || before === 0x09 || before === 0x0d) {
      const quote = head[at + name.length + 1];
      if (quote === '"' || quote === "'") {
        const endAt = head.indexOf(quote, at + name.length + 2);
        if (endAt !== -1) return head.slice(at + name.length + 2, endAt);
      }
    }
    from = at + name.length + 1;
  }
}

/** The text between the first tag and the last closing tag (empty for a self-closing element). */
export function innerText(text: string): string {
  const close = tagEnd(text, 0);
  if (close === -1 || text.charCodeAt(close - 1) === 0x2f) return '';
  const last = text.lastIndexOf('</');
  return last > close ? text.slice(close + 1, last) : '';
}
