/**
 * The Debian AWS CLI v2 (2.9.19, January 2023) predates versions, aliases, RedriveExecution and
 * ValidateStateMachineDefinition, so its Step Functions model has no commands for them. For the CLI
 * tests, this writes the CLI's own model plus those operations (as AWS's API reference defines them)
 * to a directory for `AWS_DATA_PATH`; botocore then prefers it over the built-in model. A CLI whose
 * model already has every operation is used as it is.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the Debian package keeps the CLI's Step Functions model. */
const BUILTIN = '/usr/lib/python3/dist-packages/awscli/botocore/data/stepfunctions/2016-11-23/service-2.json';

type Shape = Record<string, unknown>;
const str: Shape = { type: 'string' };
const ref = (shape: string) => ({ shape });
const struct = (members: Record<string, string>, required: string[] = []): Shape => ({
  type: 'structure',
  required,
  members: Object.fromEntries(Object.entries(members).map(([k, s]) => [k, ref(s)])),
});

const SHAPES: Record<string, Shape> = {
  XString: str,
  XTimestamp: { type: 'timestamp' },
  XInteger: { type: 'integer' },
  XBoolean: { type: 'boolean' },
  XRoutingItem: struct({ stateMachineVersionArn: 'XString', weight: 'XInteger' }, ['stateMachineVersionArn', 'weight']),
  XRouting: { type: 'list', member: ref('XRoutingItem') },
  XVersionItem: struct({ stateMachineVersionArn: 'XString', creationDate: 'XTimestamp' }),
  XVersionList: { type: 'list', member: ref('XVersionItem') },
  XAliasItem: struct({ stateMachineAliasArn: 'XString', creationDate: 'XTimestamp' }),
  XAliasList: { type: 'list', member: ref('XAliasItem') },
  XDiagnostic: struct({ severity: 'XString', code: 'XString', message: 'XString', location: 'XString' }),
  XDiagnostics: { type: 'list', member: ref('XDiagnostic') },
  XEmpty: struct({}),
  PublishStateMachineVersionInput: struct({ stateMachineArn: 'XString', revisionId: 'XString', description: 'XString' }, ['stateMachineArn']),
  PublishStateMachineVersionOutput: struct({ creationDate: 'XTimestamp', stateMachineVersionArn: 'XString' }),
  ListStateMachineVersionsInput: struct({ stateMachineArn: 'XString', nextToken: 'XString', maxResults: 'XInteger' }, ['stateMachineArn']),
  ListStateMachineVersionsOutput: struct({ stateMachineVersions: 'XVersionList', nextToken: 'XString' }),
  DeleteStateMachineVersionInput: struct({ stateMachineVersionArn: 'XString' }, ['stateMachineVersionArn']),
  CreateStateMachineAliasInput: struct({ description: 'XString', name: 'XString', routingConfiguration: 'XRouting' }, ['name', 'routingConfiguration']),
  CreateStateMachineAliasOutput: struct({ stateMachineAliasArn: 'XString', creationDate: 'XTimestamp' }),
  DescribeStateMachineAliasInput: struct({ stateMachineAliasArn: 'XString' }, ['stateMachineAliasArn']),
  DescribeStateMachineAliasOutput: struct({
    stateMachineAliasArn: 'XString',
    name: 'XString',
    description: 'XString',
    routingConfiguration: 'XRouting',
    creationDate: 'XTimestamp',
    updateDate: 'XTimestamp',
  }),
  UpdateStateMachineAliasInput: struct({ stateMachineAliasArn: 'XString', description: 'XString', routingConfiguration: 'XRouting' }, ['stateMachineAliasArn']),
  UpdateStateMachineAliasOutput: struct({ updateDate: 'XTimestamp' }),
  DeleteStateMachineAliasInput: struct({ stateMachineAliasArn: 'XString' }, ['stateMachineAliasArn']),
  ListStateMachineAliasesInput: struct({ stateMachineArn: 'XString', nextToken: 'XString', maxResults: 'XInteger' }, ['stateMachineArn']),
  ListStateMachineAliasesOutput: struct({ stateMachineAliases: 'XAliasList', nextToken: 'XString' }),
  ValidateStateMachineDefinitionInput: struct({ definition: 'XString', type: 'XString', severity: 'XString', maxResults: 'XInteger' }, ['definition']),
  ValidateStateMachineDefinitionOutput: struct({ result: 'XString', diagnostics: 'XDiagnostics', truncated: 'XBoolean' }),
  RedriveExecutionInput: struct({ executionArn: 'XString', clientToken: 'XString' }, ['executionArn']),
  RedriveExecutionOutput: struct({ redriveDate: 'XTimestamp' }, ['redriveDate']),
};

const OPERATIONS: Record<string, [input: string, output: string]> = {
  PublishStateMachineVersion: ['PublishStateMachineVersionInput', 'PublishStateMachineVersionOutput'],
  ListStateMachineVersions: ['ListStateMachineVersionsInput', 'ListStateMachineVersionsOutput'],
  DeleteStateMachineVersion: ['DeleteStateMachineVersionInput', 'XEmpty'],
  CreateStateMachineAlias: ['CreateStateMachineAliasInput', 'CreateStateMachineAliasOutput'],
  DescribeStateMachineAlias: ['DescribeStateMachineAliasInput', 'DescribeStateMachineAliasOutput'],
  UpdateStateMachineAlias: ['UpdateStateMachineAliasInput', 'UpdateStateMachineAliasOutput'],
  DeleteStateMachineAlias: ['DeleteStateMachineAliasInput', 'XEmpty'],
  ListStateMachineAliases: ['ListStateMachineAliasesInput', 'ListStateMachineAliasesOutput'],
  ValidateStateMachineDefinition: ['ValidateStateMachineDefinitionInput', 'ValidateStateMachineDefinitionOutput'],
  RedriveExecution: ['RedriveExecutionInput', 'RedriveExecutionOutput'],
};

/** Members newer than the old model, added to its existing shapes. */
const EXTRA_MEMBERS: Record<string, Record<string, string>> = {
  CreateStateMachineInput: { publish: 'XBoolean', versionDescription: 'XString' },
  CreateStateMachineOutput: { stateMachineVersionArn: 'XString' },
  UpdateStateMachineInput: { publish: 'XBoolean', versionDescription: 'XString' },
  UpdateStateMachineOutput: { revisionId: 'XString', stateMachineVersionArn: 'XString' },
  DescribeStateMachineOutput: { revisionId: 'XString', description: 'XString' },
  DescribeStateMachineForExecutionOutput: { revisionId: 'XString' },
  DescribeExecutionOutput: {
    stateMachineVersionArn: 'XString',
    stateMachineAliasArn: 'XString',
    redriveCount: 'XInteger',
    redriveDate: 'XTimestamp',
    redriveStatus: 'XString',
    redriveStatusReason: 'XString',
  },
  ExecutionListItem: { stateMachineVersionArn: 'XString', stateMachineAliasArn: 'XString', redriveCount: 'XInteger', redriveDate: 'XTimestamp' },
  ListExecutionsInput: { redriveFilter: 'XString' },
};

/**
 * Returns the directory to use as AWS_DATA_PATH, or undefined when the CLI's model already has every
 * operation (or its model file is not where the Debian package puts it).
 */
export function cliDataPath(dir: string): string | undefined {
  if (!existsSync(BUILTIN)) return undefined;
  const model = JSON.parse(readFileSync(BUILTIN, 'utf8')) as { operations: Record<string, unknown>; shapes: Record<string, Shape> };
  const missing = Object.keys(OPERATIONS).filter((op) => !model.operations[op]);
  if (!missing.length) return undefined;
  for (const [name, shape] of Object.entries(SHAPES)) if (!model.shapes[name]) model.shapes[name] = shape;
  for (const op of missing) {
    const [input, output] = OPERATIONS[op]!;
    model.operations[op] = { name: op, http: { method: 'POST', requestUri: '/' }, input: ref(input), output: ref(output), errors: [] };
  }
  for (const [shape, members] of Object.entries(EXTRA_MEMBERS)) {
    const s = model.shapes[shape] as { members?: Record<string, unknown> } | undefined;
    if (!s?.members) continue;
    for (const [m, t] of Object.entries(members)) if (!s.members[m]) s.members[m] = ref(t);
  }
  const target = join(dir, 'stepfunctions', '2016-11-23');
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'service-2.json'), JSON.stringify(model));
  return dir;
}
