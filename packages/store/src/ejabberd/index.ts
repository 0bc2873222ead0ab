export { openEjabberdSource } from './ejabberd-source.js';
export { interpretPasswordRow, type EjabberdPasswordRow } from './passwords.js';
export type {
  EjabberdHash,
  EjabberdPassword,
  EjabberdUser,
  EjabberdVcard,
  EjabberdOnlineTime,
  EjabberdSchema,
  EjabberdSource,
} from './types.js';
