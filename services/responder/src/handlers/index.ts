/** Every IQ handler of the responder, one line each. */
import type { IqHandler } from '../iq-handler.js';

import { createLastActivityHandler } from './last-activity.js';
import { createOnlineTimeHandlers } from './onlinetime.js';
import { createVcardHandler } from './vcard.js';

export function createHandlers(options: { vcardMaxBytes: number }): IqHandler[] {
  return [
    ...createOnlineTimeHandlers(),
    createVcardHandler({ maxBytes: options.vcardMaxBytes }),
    createLastActivityHandler(),
  ];
}
