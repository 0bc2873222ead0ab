import { describe, expect, it } from 'vitest';

import { cleanImportedVcard } from './vcard-clean.js';

describe('cleanImportedVcard', () => {
  it('removes stored YB_ONLINETIME elements and keeps the rest as it was', () => {
    expect(
      cleanImportedVcard(
        "  <vCard xmlns='vcard-temp'><FN>A</FN><YB_ONLINETIME>12</YB_ONLINETIME><NICKNAME>a</NICKNAME></vCard>\n",
      ),
    ).toEqual({
      xml: "<vCard xmlns='vcard-temp'><FN>A</FN><NICKNAME>a</NICKNAME></vCard>",
    });
    expect(cleanImportedVcard('<vCard xmlns="vcard-temp"><YB_ONLINETIME/></vCard>')).toEqual({
      xml: '<vCard xmlns="vcard-temp"></vCard>',
    });
    expect(cleanImportedVcard('<vCard/>')).toEqual({ xml: '<vCard/>' });
  });

  it('refuses text that is no vCard element', () => {
    expect(cleanImportedVcard('   ')).toEqual({ reason: 'empty vCard' });
    expect(cleanImportedVcard('<vCardX/>')).toEqual({ reason: 'not a <vCard/> element' });
    expect(cleanImportedVcard('hello')).toEqual({ reason: 'not a <vCard/> element' });
  });
});
