#!/usr/bin/env node
// The compiled CLI (npm install builds it through the root `prepare` script).
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Last resort before any logger exists.
    console.error(err);
    process.exitCode = 1;
  },
);
