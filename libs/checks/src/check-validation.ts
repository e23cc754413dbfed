import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { COMPLETE_CHECK_SCHEMA, type CompleteCheck } from '@taskyard/contracts';
import { CheckUnreadable, unpackCheck } from '@taskyard/school-data';

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);
const validate = ajv.compile<CompleteCheck>(COMPLETE_CHECK_SCHEMA);

export class CheckInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckInvalid';
  }
}

const describe = (e: ErrorObject): string => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;

/**
 * The completed check a stored archive holds, checked against the complete-check schema and against the
 * key it was stored under. `CheckUnreadable` when it does not unpack, `CheckInvalid` when it is not a
 * completed check of that school and code.
 */
export function hydrateCheck(archive: string, schoolUUID: string, checkCode: string): CompleteCheck {
  const check = unpackCheck(archive);
  if (!validate(check)) throw new CheckInvalid(`not a completed check: ${(validate.errors ?? []).map(describe).join('; ')}`);
  if (check.schoolUUID !== schoolUUID || check.checkCode !== checkCode) {
    throw new CheckInvalid(`the check inside is ${check.schoolUUID}/${check.checkCode}, but it was sent as ${schoolUUID}/${checkCode}`);
  }
  return check;
}

export { CheckUnreadable };
