import { describe, expect, it } from 'vitest';

import { decodeBase64Strict } from './base64.js';
import { SaslFailure } from './sasl-failure.js';

describe('decodeBase64Strict', () => {
  it.each([
    ['=', ''],
    ['', ''],
    ['biws', 'n,,'],
    ['YQ==', 'a'],
    ['YWI=', 'ab'],
  ])('%j decodes to %j', (text, expected) => {
    expect(decodeBase64Strict(text).toString('utf8')).toBe(expected);
  });

  it.each(['YQ', 'YQ=', 'Y===', 'bi ws', 'biws\n', 'b!ws', 'YR==', 'biws====', '==', 'YWJj-_'])(
    '%j fails with incorrect-encoding',
    (text) => {
      expect(() => decodeBase64Strict(text)).toThrow(SaslFailure);
      try {
        decodeBase64Strict(text);
      } catch (err) {
        expect((err as SaslFailure).condition).toBe('incorrect-encoding');
        expect((err as SaslFailure).code).toBe('SASL_INCORRECT_ENCODING');
      }
    },
  );
});
