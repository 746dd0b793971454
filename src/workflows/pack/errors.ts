import { PACK_ERROR_MESSAGES, type PackErrorCode } from '../../shared/pack';

/** A rule of the pack refuses a request: the workflow answers with the API's error code (`code`) and its message. */
export class PackRuleError extends Error {
  constructor(
    readonly code: PackErrorCode,
    message: string = PACK_ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = 'PackRuleError';
  }
}
