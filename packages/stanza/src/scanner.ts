import { StreamError } from '@onlinetime/errors';

import type { ParserLimits } from './limits.js';
import { checkEntity, ENTITY_MAX } from './entities.js';
import { isNameChar, isNameStartChar, isWhitespace, isXmlChar, utf8Length } from './xml-chars.js';

/**
 * A strict, streaming XML scanner that runs in front of ltx. It validates every character once (O(n)
 * whatever the chunking), enforces the limits, rejects DTDs, comments, PIs and entity references other
 * than the five predefined and numeric ones, and hands over the text of each complete top-level unit
 * (stream header, stanza, stream close) — and nothing else: stream-level whitespace and the XML
 * declaration are dropped. ltx therefore only ever sees well-formed, bounded units.
 */
const enum S {
  Text,
  Lt,
  Bang,
  Cdata,
  Decl,
  StartName,
  InTag,
  AttrName,
  AttrEq,
  AttrQuote,
  AttrValue,
  SelfClose,
  EndName,
  EndWs,
  Entity,
}

const CDATA = '[CDATA[';
const DECL_MAX = 256;

export interface ScannerOptions {
  readonly limits: ParserLimits;
  /** 'stream': units are children of one stream element; 'fragment': top-level elements are units. */
  readonly mode: 'stream' | 'fragment';
  /** Receives the text of each complete unit, in order. */
  readonly onUnit: (text: string) => void;
}

export class XmlScanner {
  /** Set by the consumer (from onUnit) to stop scanning the rest of the input. */
  halted = false;
  /** The stream element was closed: the rest of the input is ignored. */
  done = false;
  private state = S.Text;
  private depth = 0;
  private readonly stack: string[] = [];
  private readonly unitDepth: number;
  private name = '';
  private attrName = '';
  private readonly attrNames = new Set<string>();
  private attrValueLength = 0;
  private quote = 0;
  private sawSpace = false;
  private entity = '';
  private entityReturn = S.Text;
  private bang = '';
  private brackets = 0;
  private decl = '';
  private declAllowed = true;
  private unitBytes = 0;
  private forwarding = false;
  private pieces: string[] = [];

  constructor(private readonly options: ScannerOptions) {
    this.unitDepth = options.mode === 'stream' ? 1 : 0;
  }

  /** Between elements: no tag, reference or element is open (a fragment's input may end here). */
  get atRest(): boolean {
    return this.state === S.Text && this.depth === 0;
  }

  /** Scans one decoded chunk; throws StreamError on the first violation. */
  write(chunk: string): void {
    let seg = this.forwarding ? 0 : -1;
    const max = this.options.limits.maxStanzaBytes;
    for (let i = 0; i < chunk.length; i++) {
      if (this.halted || this.done) return;
      const c = chunk.charCodeAt(i);
      if (!isXmlChar(c)) fail('not-well-formed', 'character not allowed in XML');
      if (this.depth > this.unitDepth || this.state !== S.Text || c === 0x3c) {
        this.unitBytes += utf8Length(c);
        if (this.unitBytes > max) fail('policy-violation', `stanza larger than ${max} bytes`);
      }
      switch (this.state) {
        case S.Text:
          if (c === 0x3c /* < */) {
            this.state = S.Lt;
            if (!this.forwarding) {
              this.forwarding = true;
              seg = i;
            }
          } else if (this.depth <= this.unitDepth) {
            this.streamLevelText(c);
          } else if (c === 0x26 /* & */) {
            this.enterEntity(S.Text);
          }
          break;
        case S.Lt:
          if (c === 0x2f /* / */) {
            this.state = S.EndName;
            this.name = '';
          } else if (c === 0x21 /* ! */) {
            this.state = S.Bang;
            this.bang = '';
          } else if (c === 0x3f /* ? */) {
            if (!this.declAllowed || this.depth > 0)
              fail('restricted-xml', 'processing instructions are not allowed');
            this.state = S.Decl;
            this.decl = '';
            this.forwarding = false;
            this.pieces = [];
            seg = -1;
          } else if (isNameStartChar(c)) {
            this.state = S.StartName;
            this.name = chunk[i] as string;
            this.attrNames.clear();
          } else fail('not-well-formed', "'<' must start a tag");
          break;
        case S.Bang:
          this.scanBang(chunk[i] as string);
          break;
        case S.Cdata:
          if (c === 0x5d /* ] */) this.brackets++;
          else if (c === 0x3e /* > */ && this.brackets >= 2) this.state = S.Text;
          else this.brackets = 0;
          break;
        case S.Decl:
          this.scanDecl(chunk[i] as string);
          break;
        case S.StartName:
          if (isNameChar(c)) this.appendName(chunk[i] as string);
          else if (isWhitespace(c)) {
            this.state = S.InTag;
            this.sawSpace = true;
          } else if (c === 0x3e /* > */) {
            if (this.openElement(false, chunk, seg, i)) seg = -1;
          } else if (c === 0x2f /* / */) this.state = S.SelfClose;
          else fail('not-well-formed', 'invalid character in element name');
          break;
        case S.InTag:
          if (isWhitespace(c)) this.sawSpace = true;
          else if (c === 0x3e /* > */) {
            if (this.openElement(false, chunk, seg, i)) seg = -1;
          } else if (c === 0x2f /* / */) this.state = S.SelfClose;
          else if (isNameStartChar(c) && this.sawSpace) {
            this.state = S.AttrName;
            this.attrName = chunk[i] as string;
          } else fail('not-well-formed', 'malformed attribute');
          break;
        case S.AttrName:
          if (isNameChar(c)) {
            this.attrName += chunk[i] as string;
            if (this.attrName.length > this.options.limits.maxNameLength)
              fail('policy-violation', 'name too long');
          } else if (c === 0x3d /* = */) this.state = S.AttrQuote;
          else if (isWhitespace(c)) this.state = S.AttrEq;
          else fail('not-well-formed', 'invalid character in attribute name');
          break;
        case S.AttrEq:
          if (c === 0x3d /* = */) this.state = S.AttrQuote;
          else if (!isWhitespace(c)) fail('not-well-formed', "attribute name must be followed by '='");
          break;
        case S.AttrQuote:
          if (c === 0x22 || c === 0x27) {
            this.quote = c;
            this.attrValueLength = 0;
            this.state = S.AttrValue;
          } else if (!isWhitespace(c)) fail('not-well-formed', 'attribute value must be quoted');
          break;
        case S.AttrValue:
          if (c === this.quote) this.finishAttribute();
          else if (c === 0x3c /* < */) fail('not-well-formed', "'<' not allowed in attribute value");
          else {
            if (c === 0x26 /* & */) this.enterEntity(S.AttrValue);
            if (++this.attrValueLength > this.options.limits.maxAttributeLength) {
              fail('policy-violation', 'attribute value too long');
            }
          }
          break;
        case S.SelfClose:
          if (c !== 0x3e /* > */) fail('not-well-formed', "'/' must be followed by '>'");
          if (this.openElement(true, chunk, seg, i)) seg = -1;
          break;
        case S.EndName:
          if (this.name === '' ? isNameStartChar(c) : isNameChar(c)) this.appendName(chunk[i] as string);
          else if (c === 0x3e /* > */ && this.name !== '') {
            if (this.closeElement(chunk, seg, i)) seg = -1;
          } else if (isWhitespace(c) && this.name !== '') this.state = S.EndWs;
          else fail('not-well-formed', 'malformed end tag');
          break;
        case S.EndWs:
          if (c === 0x3e /* > */) {
            if (this.closeElement(chunk, seg, i)) seg = -1;
          } else if (!isWhitespace(c)) fail('not-well-formed', 'malformed end tag');
          break;
        case S.Entity:
          this.scanEntity(c, chunk[i] as string);
          break;
      }
    }
    if (this.forwarding && seg >= 0 && seg < chunk.length) this.pieces.push(chunk.slice(seg));
  }

  private streamLevelText(c: number): void {
    if (isWhitespace(c)) return;
    if (this.depth === 0) fail('not-well-formed', 'text outside the root element');
    fail('bad-format', 'text is not allowed between stanzas');
  }

  private enterEntity(back: S): void {
    this.entity = '';
    this.entityReturn = back;
    this.state = S.Entity;
  }

  private scanEntity(c: number, ch: string): void {
    if (c === 0x3b /* ; */) {
      checkEntity(this.entity);
      this.state = this.entityReturn;
    } else if (isNameChar(c) || c === 0x23 /* # */) {
      this.entity += ch;
      if (this.entity.length > ENTITY_MAX) checkEntity(this.entity);
    } else fail('not-well-formed', "'&' must start an entity reference");
  }

  private scanBang(ch: string): void {
    this.bang += ch;
    if (CDATA.startsWith(this.bang)) {
      if (this.bang !== CDATA) return;
      if (this.depth <= this.unitDepth) fail('bad-format', 'character data is not allowed between stanzas');
      this.brackets = 0;
      this.state = S.Cdata;
      return;
    }
    if (this.bang.startsWith('[')) fail('not-well-formed', 'malformed CDATA section');
    fail('restricted-xml', this.bang.startsWith('-') ? 'comments are not allowed' : 'DTDs are not allowed');
  }

  private scanDecl(ch: string): void {
    this.decl += ch;
    if (this.decl.length === 4 && !/^xml[ \t\r\n]$/.test(this.decl)) {
      fail('restricted-xml', 'processing instructions are not allowed');
    }
    if (ch === '>' && this.decl.endsWith('?>')) {
      if (this.decl.length < 5) fail('not-well-formed', 'malformed XML declaration');
      this.state = S.Text;
      this.declAllowed = false;
      this.unitBytes = 0;
    } else if (this.decl.length > DECL_MAX) fail('policy-violation', 'XML declaration too long');
  }

  private appendName(ch: string): void {
    this.name += ch;
    if (this.name.length > this.options.limits.maxNameLength) fail('policy-violation', 'name too long');
  }

  private finishAttribute(): void {
    if (this.attrNames.has(this.attrName)) fail('not-well-formed', `duplicate attribute ${this.attrName}`);
    this.attrNames.add(this.attrName);
    if (this.attrNames.size > this.options.limits.maxAttributes)
      fail('policy-violation', 'too many attributes');
    this.state = S.InTag;
    this.sawSpace = false;
  }

  /** Returns true when the unit was handed over (the caller resets its segment start). */
  private openElement(selfClosing: boolean, chunk: string, seg: number, i: number): boolean {
    this.declAllowed = false;
    this.depth++;
    if (this.depth > this.options.limits.maxDepth) fail('policy-violation', 'elements nested too deeply');
    this.stack.push(this.name);
    if (selfClosing) return this.closeElement(chunk, seg, i, this.name);
    this.state = S.Text;
    if (this.options.mode === 'stream' && this.depth === 1) {
      this.handOver(chunk, seg, i);
      return true;
    }
    return false;
  }

  private closeElement(chunk: string, seg: number, i: number, name = this.name): boolean {
    const open = this.stack.pop();
    if (open === undefined) fail('not-well-formed', 'end tag without start tag');
    if (open !== name) fail('not-well-formed', `</${name}> does not close <${open}>`);
    this.depth--;
    this.state = S.Text;
    if (this.depth > this.unitDepth) return false;
    if (this.options.mode === 'stream' && this.depth === 0) this.done = true;
    this.handOver(chunk, seg, i);
    return true;
  }

  private handOver(chunk: string, seg: number, i: number): void {
    this.pieces.push(chunk.slice(Math.max(seg, 0), i + 1));
    const text = this.pieces.length === 1 ? (this.pieces[0] as string) : this.pieces.join('');
    this.pieces = [];
    this.forwarding = false;
    this.unitBytes = 0;
    this.options.onUnit(text);
  }
}

function fail(condition: string, text: string): never {
  throw new StreamError(condition, text);
}
