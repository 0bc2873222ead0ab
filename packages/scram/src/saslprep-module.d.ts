// saslprep 1.0.3 ships no typings (module.exports = saslprep, CommonJS).
declare module 'saslprep' {
  /** RFC 4013 SASLprep; throws Error on prohibited, unassigned (unless allowed) or bad-bidi input. */
  function saslprep(input: string, options?: { allowUnassigned?: boolean }): string;
  export = saslprep;
}
