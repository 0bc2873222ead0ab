export { readConfig, describeVariables, type VariableSpec, type ConfigOf, type Env } from './read-config.js';
export * as parsers from './parsers.js';
export { COMMON_VARIABLES } from './common-variables.js';
