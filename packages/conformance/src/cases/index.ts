import type { ConformanceCase } from '../case.js';
import { cancelCases } from './cancel.js';
import { errorCases } from './errors.js';
import { evalCases } from './eval.js';
import { handshakeCases } from './handshake.js';
import { invokeCases } from './invoke.js';
import { limitCases } from './limits.js';
import { messageCases } from './messages.js';
import { refCases } from './refs.js';
import { serverBindingCases } from './serverBindings.js';
import { sessionCases } from './sessions.js';
import { valueCases } from './values.js';

/** Every case, in the order of the spec's sections they check. */
export const ALL_CASES: readonly ConformanceCase[] = [
  ...handshakeCases,
  ...serverBindingCases,
  ...messageCases,
  ...evalCases,
  ...valueCases,
  ...errorCases,
  ...invokeCases,
  ...refCases,
  ...cancelCases,
  ...sessionCases,
  ...limitCases,
];
