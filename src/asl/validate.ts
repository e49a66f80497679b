/**
 * State-machine definition validation (see `./validate/index.ts`): `validateDefinition` returns AWS's
 * diagnostics for a definition text, `invalidDefinitionMessage` the InvalidDefinition error message of
 * CreateStateMachine / UpdateStateMachine and `validationResponse` the ValidateStateMachineDefinition
 * response.
 * @module
 */
export { validateDefinition, validateParsed, type Diagnostic, type ValidateOptions } from './validate/index.js';
export { invalidDefinitionMessage, validationResponse, formatDiagnostic, type ValidationResponse } from './validate/message.js';
export { pyRepr, pyReprList } from './validate/pyrepr.js';
