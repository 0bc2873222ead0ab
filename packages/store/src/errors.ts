import { OnlinetimeError } from '@onlinetime/errors';

export function storeClosedError(): OnlinetimeError {
  return new OnlinetimeError('STORE_CLOSED', 'the store was closed');
}

export function transactionClosedError(): OnlinetimeError {
  return new OnlinetimeError('STORE_TRANSACTION_CLOSED', 'the accounting transaction has already ended');
}

export function userExistsError(jid: string): OnlinetimeError {
  return new OnlinetimeError('USER_EXISTS', `user ${jid} already exists`, { context: { jid } });
}
