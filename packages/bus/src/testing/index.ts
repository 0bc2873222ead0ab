export { describeBusContract } from './bus-contract.js';
export { uniqueName, waitFor, type BusFactory, type BusFixture } from './support.js';
