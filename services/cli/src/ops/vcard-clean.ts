/**
 * A stored vCard of the old server, made ready for ours: surrounding whitespace trimmed and any
 * YB_ONLINETIME element removed (the responder appends the live value; a stored one would be a
 * forgery, as for a client's vCard set). Returns the reason when the text is no vCard element.
 */
export function cleanImportedVcard(xml: string): { xml: string } | { reason: string } {
  const text = xml.trim();
  if (text === '') return { reason: 'empty vCard' };
  if (!/^<(?:[A-Za-z_][\w.-]*:)?vCard[\s/>]/.test(text)) return { reason: 'not a <vCard/> element' };
  const cleaned = text
    .replace(/<YB_ONLINETIME(?:\s[^>]*)?\/>/g, '')
    .replace(/<YB_ONLINETIME(?:\s[^>]*)?>[^<]*<\/YB_ONLINETIME\s*>/g, '');
  return { xml: cleaned };
}
