import { fromErrorObject, ScompError } from '@scomp/peer/errors';

/** An error in transit between threads: a wire error keeps its code and data, so the receiver rebuilds its class. */
export interface CarriedError {
  code?: number;
  name: string;
  message: string;
  data?: unknown;
}

export function carryError(error: unknown): CarriedError {
  if (error instanceof ScompError) {
    return error.data === undefined
      ? { code: error.code, name: error.name, message: error.message }
      : { code: error.code, name: error.name, message: error.message, data: error.data };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function uncarryError(carried: CarriedError): Error {
  if (carried.code !== undefined) {
    return fromErrorObject(carried.data === undefined ? { code: carried.code, message: carried.message } : { code: carried.code, message: carried.message, data: carried.data });
  }
  const error = new Error(carried.message);
  error.name = carried.name;
  return error;
}
