/**
 * The single validation entry point: `FastApiValidationPipe` (APP_PIPE) validates `@Body()`,
 * `@Query()`, `@Param()` and `@RequestHeaders()` DTOs and parameters marked with
 * `ParamField(...)`/`UuidParam`, and throws one `RequestValidationError` with every error of the
 * request, ordered path, query, header, body as FastAPI does.
 *
 * Nest runs pipes once per parameter, with no view of the request. To report all parameters at
 * once, `ValidationScopeInterceptor` (APP_INTERCEPTOR) opens an AsyncLocalStorage scope around
 * each handler call with the handler's list of validated parameters (from Nest's route-argument
 * metadata). Nest 12 runs interceptors' `next.handle()` in the async context it was called in,
 * so the pipe calls of that request see the scope: each records its result, and the call that
 * completes the list throws the collected errors. Without the interceptor the pipe still
 * validates, one parameter at a time.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  type ArgumentMetadata,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { CUSTOM_ROUTE_ARGS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { getMetadataStorage, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import type { Observable } from 'rxjs';
import { isLargeBody, UnreadableJsonBody } from '../http/json-body.middleware.js';
import { toFastApiDetail } from './class-validator-mapper.js';
import { errorItem, type FastApiErrorItem, type Location, RequestValidationError } from '../http/validation-errors.js';
import { type Class, type FieldSpec, isFieldModel, t } from './fields.js';
import { unstorableTextErrors } from './storable-text.js';
import { type ParamLocation, type ParamSource, validateBody, validateParam, validateParams, type Validated } from './validate.js';

/** Nest's RouteParamtypes values for the parameters validated here. */
const BODY = 3;
const QUERY = 4;
const PARAM = 5;

const LOCATION_RANK: Record<Location, number> = { path: 0, query: 1, header: 2, body: 3 };

// ---------------------------------------------------------------------------------------------
// Parameter markers
// ---------------------------------------------------------------------------------------------

/** `data` of `@RequestHeaders()`, which is how the pipe recognises it. */
const HEADERS_DATA = Object.freeze({ fastApiLocation: 'header' as const });

/**
 * The request headers for a header DTO (`@RequestHeaders() h: MyHeaders`). Nest's `@Headers()`
 * never reaches pipes. Each header name maps to all its values, so a repeated header resolves
 * to its first value as in Starlette.
 */
export const RequestHeaders = (): ParameterDecorator =>
  createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
    const req = ctx.switchToHttp().getRequest<{ headersDistinct: Record<string, string[]> }>();
    return req.headersDistinct;
  })(HEADERS_DATA);

/**
 * A parameter validated against one field spec: `@Query('limit', ParamField(t.int({ ge: 1 })))`.
 * With the interceptor in place the global pipe validates it along with the other parameters
 * and this pipe only passes the result on.
 */
export class FieldParamPipe implements PipeTransform {
  constructor(
    readonly spec: FieldSpec,
    readonly options: { optional?: boolean } = {},
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (scopes.getStore()?.globalPipeRan) return value;
    return settle(fieldRun(locationOf(metadata.type, metadata.data) ?? 'query', metadata.data, this)(value));
  }
}

export const ParamField = (spec: FieldSpec, options?: { optional?: boolean }): FieldParamPipe => new FieldParamPipe(spec, options);

/** `@Param('image_id', UuidParam)`: any form pydantic accepts, canonicalised. */
export const UuidParam = new FieldParamPipe(t.uuid());

function settle<T>(r: Validated<T>): T {
  if (!r.ok) throw new RequestValidationError(r.errors);
  return r.value;
}

function locationOf(type: string | number, data: unknown): Location | undefined {
  if (type === 'body' || type === BODY) return 'body';
  if (type === 'query' || type === QUERY) return 'query';
  if (type === 'param' || type === PARAM) return 'path';
  if (data === HEADERS_DATA) return 'header';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What each parameter is validated against
// ---------------------------------------------------------------------------------------------

type Run = (value: unknown) => Validated<unknown>;

function fieldRun(location: Location, data: unknown, pipe: FieldParamPipe): Run {
  const name = String(data);
  return (value) => validateParam(location, name, pipe.spec, value, pipe.options.optional);
}

function hasClassValidatorRules(cls: Class): boolean {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length > 0;
}

function classValidatorRun(location: Location, cls: Class): Run {
  return (value) => {
    // No body is FastAPI's `missing` at ["body"], whatever the DTO.
    if (location === 'body' && (value === undefined || value === null)) return { ok: false, errors: [errorItem('missing', ['body'], null)] };
    const instance = plainToInstance(cls, value ?? {}) as object;
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: location === 'body' });
    return errors.length ? { ok: false, errors: toFastApiDetail(errors, location, value) } : { ok: true, value: instance };
  };
}

/**
 * Adds the storable-text check to a parameter's run: a string PostgreSQL cannot hold (NUL, an
 * unpaired surrogate) anywhere in the raw input is a 422 at its location, next to the
 * parameter's other errors (one error per location).
 */
function withStorableText(location: Location, data: unknown, run: Run): Run {
  const base = typeof data === 'string' && location !== 'body' ? [location, data] : [location];
  return (value) => {
    const result = run(value);
    const unstorable = unstorableTextErrors(value, base);
    if (unstorable.length === 0) return result;
    const known = result.ok ? [] : result.errors;
    const taken = new Set(known.map((e) => JSON.stringify(e.loc)));
    return { ok: false, errors: [...known, ...unstorable.filter((e) => !taken.has(JSON.stringify(e.loc)))] };
  };
}

/** How to validate one parameter, or undefined when it is not this pipe's business. */
function runnerFor(location: Location, data: unknown, metatype: unknown, paramPipes: readonly unknown[]): Run | undefined {
  const run = plainRunnerFor(location, data, metatype, paramPipes);
  // Node's HTTP parser already refuses NUL and other control characters in header values.
  return run && (location === 'header' ? run : withStorableText(location, data, run));
}

function plainRunnerFor(location: Location, data: unknown, metatype: unknown, paramPipes: readonly unknown[]): Run | undefined {
  const marker = paramPipes.find((p): p is FieldParamPipe => p instanceof FieldParamPipe);
  if (marker) return fieldRun(location, data, marker);
  const wholeObject = data === undefined || location === 'header';
  if (!wholeObject || typeof metatype !== 'function') return undefined;
  if (isFieldModel(metatype)) {
    if (location === 'body') return (value) => validateBody(metatype, value);
    return (value) => validateParams(location as ParamLocation, metatype, (value ?? {}) as ParamSource);
  }
  if (hasClassValidatorRules(metatype as Class)) return classValidatorRun(location, metatype as Class);
  return undefined;
}

interface PlannedParam {
  index: number;
  location: Location;
  data: unknown;
  run: Run;
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

const plans = new WeakMap<object, readonly PlannedParam[]>();

/** The parameters of a handler that this pipe validates, in parameter order. */
function planFor(cls: Class, handler: { name: string }): readonly PlannedParam[] {
  const cached = plans.get(handler);
  if (cached) return cached;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, handler.name) ?? {}) as Record<string, RouteArg>;
  const paramtypes = (Reflect.getMetadata('design:paramtypes', cls.prototype, handler.name) ?? []) as unknown[];
  const plan: PlannedParam[] = [];
  for (const [key, arg] of Object.entries(args)) {
    const location = key.includes(CUSTOM_ROUTE_ARGS_METADATA) ? locationOf('custom', arg.data) : locationOf(Number(key.split(':')[0]), arg.data);
    if (!location) continue;
    const run = runnerFor(location, arg.data, paramtypes[arg.index], arg.pipes ?? []);
    if (run) plan.push({ index: arg.index, location, data: arg.data, run });
  }
  plan.sort((a, b) => a.index - b.index);
  plans.set(handler, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// The per-request scope
// ---------------------------------------------------------------------------------------------

class ValidationScope {
  globalPipeRan = false;
  private readonly results = new Map<PlannedParam, Validated<unknown>>();

  constructor(private readonly plan: readonly PlannedParam[]) {}

  /** The planned parameter a pipe call is for: the first not yet reported with that location and data. */
  claim(location: Location, data: unknown): PlannedParam | undefined {
    return this.plan.find((p) => p.location === location && p.data === data && !this.results.has(p));
  }

  report(param: PlannedParam, result: Validated<unknown>): void {
    this.results.set(param, result);
  }

  get complete(): boolean {
    return this.results.size === this.plan.length;
  }

  errors(): FastApiErrorItem[] {
    return [...this.results.entries()]
      .filter(([, r]) => !r.ok)
      .sort(([a], [b]) => LOCATION_RANK[a.location] - LOCATION_RANK[b.location] || a.index - b.index)
      .flatMap(([, r]) => (r.ok ? [] : r.errors));
  }
}

const scopes = new AsyncLocalStorage<ValidationScope>();

/** Opens the validation scope of each HTTP handler call; register as APP_INTERCEPTOR. */
@Injectable()
export class ValidationScopeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const plan = planFor(ctx.getClass(), ctx.getHandler());
    if (plan.length === 0) return next.handle();
    // handle() binds the rest of the chain to the current async context, this scope included.
    return scopes.run(new ValidationScope(plan), () => next.handle());
  }
}

// ---------------------------------------------------------------------------------------------
// The pipe
// ---------------------------------------------------------------------------------------------

@Injectable()
export class FastApiValidationPipe implements PipeTransform {
  private static warned = false;
  private readonly logger = new Logger(FastApiValidationPipe.name);

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const location = locationOf(metadata.type, metadata.data);
    if (!location) return value;
    // FastAPI reads the body before it validates anything, and stops there if it cannot.
    if (location === 'body' && value instanceof UnreadableJsonBody) throw value.toError();

    const scope = scopes.getStore();
    if (!scope) return this.standalone(location, value, metadata);
    scope.globalPipeRan = true;
    const param = scope.claim(location, metadata.data);
    if (!param) return value;
    if (location === 'body' && isLargeBody(value)) return this.afterTurns(scope, param, value);
    return this.finish(scope, param, param.run(value));
  }

  /**
   * A large body's validation is tens of ms of CPU on its own: run as its own event-loop task,
   * so that it does not add to the work before and after it in one long stretch that other
   * organisations' requests wait behind.
   */
  private async afterTurns(scope: ValidationScope, param: PlannedParam, value: unknown): Promise<unknown> {
    await yieldToLoop();
    const result = param.run(value);
    await yieldToLoop();
    return this.finish(scope, param, result);
  }

  private finish(scope: ValidationScope, param: PlannedParam, result: Validated<unknown>): unknown {
    scope.report(param, result);
    if (scope.complete) {
      const errors = scope.errors();
      if (errors.length > 0) throw new RequestValidationError(errors);
    }
    // A failed parameter that is not the last one to report only needs a placeholder: the
    // last one throws, so the handler never sees it.
    return result.ok ? result.value : undefined;
  }

  private standalone(location: Location, value: unknown, metadata: ArgumentMetadata): unknown {
    const run = runnerFor(location, metadata.data, metadata.metatype, []);
    if (!run) return value;
    if (!FastApiValidationPipe.warned) {
      FastApiValidationPipe.warned = true;
      this.logger.warn('ValidationScopeInterceptor is not registered: validation errors are reported one parameter at a time');
    }
    return settle(run(value));
  }
}
