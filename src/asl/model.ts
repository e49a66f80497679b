/**
 * The compiled model of a state machine: what `compile` makes of a validated definition. Every path,
 * payload template, intrinsic call, Choice rule and JSONata expression is already parsed here; the
 * interpreter only calls the precompiled evaluators.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { CompiledJsonata, CompiledJsonataExpression } from '../expr/jsonata.js';
import type { CompiledPath } from '../expr/jsonpath.js';
import type { EvalScope } from '../expr/scope.js';
import type { CompiledTemplate, Evaluator } from '../expr/template.js';
import type { ChoicePredicate } from '../expr/choice.js';
import type { TaskResource } from './resources.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';
export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

/** A value that is either fixed in the definition or computed per execution. */
export type Dyn<T> =
  | { k: 'const'; v: T }
  | { k: 'path'; path: CompiledPath; field: string }
  /** A `…Path` field whose value may also be an intrinsic call (Fail's ErrorPath and CausePath). */
  | { k: 'eval'; ev: Evaluator; field: string }
  | { k: 'jsonata'; expr: CompiledJsonataExpression; field: string };

/** JSONPath data-flow fields. `null` means the field was set to null (discard / empty object). */
export interface PathIO {
  inputPath: CompiledPath | null | undefined;
  outputPath: CompiledPath | null | undefined;
  /** Keys of a reference path; null = discard the result; undefined = `$` (result replaces input). */
  resultPath: { keys: readonly (string | number)[]; source: string } | null | undefined;
  parameters: CompiledTemplate | undefined;
  resultSelector: CompiledTemplate | undefined;
}

/** JSONata data-flow fields. */
export interface JsonataIO {
  arguments: CompiledJsonata | undefined;
  output: CompiledJsonata | undefined;
}

/** Assign, in either query language. JSONPath: a payload template; JSONata: a value with expressions. */
export type Assigner =
  | { ql: 'JSONPath'; template: CompiledTemplate; raw: Json }
  | { ql: 'JSONata'; value: CompiledJsonata; raw: Json };

export interface Retrier {
  errorEquals: readonly string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds: number | undefined;
  jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  errorEquals: readonly string[];
  next: string;
  /** JSONPath catchers. */
  resultPath: { keys: readonly (string | number)[]; source: string } | null | undefined;
  /** JSONata catchers. */
  output: CompiledJsonata | undefined;
  assign: Assigner | undefined;
}

interface Base<T extends StateType> {
  readonly type: T;
  readonly name: string;
  readonly ql: QueryLanguage;
  readonly next: string | undefined;
  readonly end: boolean;
  readonly comment: string | undefined;
  readonly assign: Assigner | undefined;
  readonly io: PathIO;
  readonly jio: JsonataIO;
  /** The state's definition as written (TestState, console, DescribeStateMachine). */
  readonly raw: Json;
}

export interface PassState extends Base<'Pass'> {
  readonly result: Json | undefined;
}

export interface TaskState extends Base<'Task'> {
  readonly resource: Dyn<string>;
  /** Parsed resource when the Resource field is a constant. */
  readonly parsedResource: TaskResource | undefined;
  readonly timeoutSeconds: Dyn<number> | undefined;
  readonly heartbeatSeconds: Dyn<number> | undefined;
  readonly credentials: CompiledTemplate | CompiledJsonata | undefined;
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

export interface ChoiceRule {
  readonly test: ChoicePredicate;
  readonly next: string;
  readonly assign: Assigner | undefined;
  /** JSONata rules may carry their own Output. */
  readonly output: CompiledJsonata | undefined;
}

export interface ChoiceState extends Base<'Choice'> {
  readonly choices: readonly ChoiceRule[];
  readonly default: string | undefined;
  readonly defaultAssign: Assigner | undefined;
}

export interface WaitState extends Base<'Wait'> {
  readonly seconds: Dyn<number> | undefined;
  readonly timestamp: Dyn<string> | undefined;
}

export interface SucceedState extends Base<'Succeed'> {}

export interface FailState extends Base<'Fail'> {
  readonly error: Dyn<string> | undefined;
  readonly cause: Dyn<string> | undefined;
}

export interface ParallelState extends Base<'Parallel'> {
  readonly branches: readonly Program[];
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

export interface MapState extends Base<'Map'> {
  readonly processor: Program;
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  readonly executionType: 'STANDARD' | 'EXPRESS' | undefined;
  readonly label: string | undefined;
  /** JSONPath: ItemsPath (default `$`). */
  readonly itemsPath: CompiledPath | undefined;
  /** JSONata: Items (an expression, or an array that may contain expressions); JSONPath: not used. */
  readonly items: CompiledJsonataExpression | CompiledJsonata | undefined;
  /** ItemSelector (or legacy Parameters). */
  readonly itemSelector: CompiledTemplate | CompiledJsonata | undefined;
  readonly maxConcurrency: Dyn<number> | undefined;
  readonly toleratedFailureCount: Dyn<number> | undefined;
  readonly toleratedFailurePercentage: Dyn<number> | undefined;
  readonly itemReader: ItemReaderSpec | undefined;
  readonly itemBatcher: ItemBatcherSpec | undefined;
  readonly resultWriter: ResultWriterSpec | undefined;
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

/** A Distributed Map's ItemReader: where its items come from (read by the runtime). */
export interface ItemReaderSpec {
  /** The Resource as written (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`). */
  readonly resource: string;
  readonly parsedResource: TaskResource | undefined;
  /** Parameters (JSONPath) or Arguments (JSONata): the S3 request. */
  readonly params: CompiledTemplate | CompiledJsonata | undefined;
  /** ReaderConfig without MaxItems(Path): a constant (JSONPath) or a JSONata template. */
  readonly readerConfig: CompiledTemplate | CompiledJsonata | undefined;
  readonly maxItems: Dyn<number> | undefined;
}

/** A Distributed Map's ItemBatcher: items grouped into batches, one per child execution. */
export interface ItemBatcherSpec {
  readonly maxItemsPerBatch: Dyn<number> | undefined;
  readonly maxInputBytesPerBatch: Dyn<number> | undefined;
  readonly batchInput: CompiledTemplate | CompiledJsonata | undefined;
}

/** A Distributed Map's ResultWriter: where the child executions' results go (written by the runtime). */
export interface ResultWriterSpec {
  readonly resource: string | undefined;
  readonly parsedResource: TaskResource | undefined;
  readonly params: CompiledTemplate | CompiledJsonata | undefined;
  readonly writerConfig: CompiledTemplate | CompiledJsonata | undefined;
}

export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** A list of states with an entry point: the machine itself, a Parallel branch or a Map processor. */
export interface Program {
  readonly startAt: string;
  readonly states: ReadonlyMap<string, State>;
}

export interface Machine extends Program {
  readonly queryLanguage: QueryLanguage;
  readonly timeoutSeconds: number | undefined;
  readonly comment: string | undefined;
  /** The definition as parsed JSON. */
  readonly definition: Json;
  /** True when any state uses JSONata (the interpreter then awaits expression results). */
  readonly usesJsonata: boolean;
}

export type { EvalScope, Evaluator };
