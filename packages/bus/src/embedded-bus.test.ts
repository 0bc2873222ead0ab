import { describeBusContract } from './testing/index.js';
import { createEmbeddedBus } from './index.js';

describeBusContract('embedded', async () => {
  const bus = createEmbeddedBus();
  return { bus, cleanup: () => bus.stop() };
});
