/**
 * Request DTOs validated the way FastAPI/pydantic validates them, with FastAPI's error items.
 *
 *   // ApiModule providers:
 *   { provide: APP_PIPE, useClass: FastApiValidationPipe },
 *   { provide: APP_INTERCEPTOR, useClass: ValidationScopeInterceptor },
 */
export { toFastApiDetail } from './class-validator-mapper.js';
export { validateDateTime } from './datetime.js';
export { errorItem, type FastApiErrorItem, type Loc, type Location, RequestValidationError } from '../http/validation-errors.js';
export * from './fields.js';
export * from './decorators.js';
export { type ParamSource, validateBody, validateParam, validateParams, type Validated, validateValue } from './validate.js';
export { FastApiValidationPipe, FieldParamPipe, ParamField, RequestHeaders, UuidParam, ValidationScopeInterceptor } from './validation.pipe.js';
