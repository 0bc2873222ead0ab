import { describeStoreContract } from '../testing/store-contract.js';
import { createMemoryStore } from './memory-store.js';

describeStoreContract('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
