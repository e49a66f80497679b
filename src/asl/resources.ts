/**
 * Task `Resource` ARNs, parsed in one place: what kind of work a Task state does, which history events
 * describe it, and whether AWS recognises the ARN.
 *
 * `parseResource` takes any ARN of a known form apart (the runtime routes by what it gives);
 * `recognizedResource` answers as AWS's validator does: only the partitions, regions, accounts, names
 * and optimised integrations (with their patterns) AWS accepts.
 * @module
 */

export type IntegrationPattern = 'request-response' | 'sync' | 'sync2' | 'callback';

export type TaskResource =
  /** arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] — LambdaFunction* events. */
  | { kind: 'lambda-function'; arn: string; functionName: string; qualifier?: string }
  /** arn:aws:states:REGION:ACCOUNT:activity:NAME — Activity* events. */
  | { kind: 'activity'; arn: string; name: string }
  /** arn:aws:states:[REGION:ACCOUNT]:SERVICE:ACTION[.sync|.sync:2|.waitForTaskToken] and aws-sdk:SERVICE:ACTION — Task* events. */
  | {
      kind: 'service';
      arn: string;
      /** The service as AWS names it in events (`resourceType`): lambda, states, sqs, aws-sdk:dynamodb, http … */
      service: string;
      /** The action as AWS names it in events (`resource`), with its suffix: invoke, startExecution.sync … */
      action: string;
      /** The action without the suffix. */
      api: string;
      pattern: IntegrationPattern;
    };

const LAMBDA_RE = /^arn:aws[\w-]*:lambda:([^:]*):([^:]*):function:([^:]+)(?::([^:]+))?$/;
const ACTIVITY_RE = /^arn:aws[\w-]*:states:([^:]*):([^:]*):activity:(.+)$/;
// Region and account are usually empty (`states:::`) but may be filled in (`states:us-east-1:123456789012:`).
const SERVICE_RE = /^arn:aws[\w-]*:states:[^:]*:[^:]*:(aws-sdk:[^:]+|[^:]+):(.+)$/;

const SUFFIXES: readonly (readonly [string, IntegrationPattern])[] = [
  ['.waitForTaskToken', 'callback'],
  ['.sync:2', 'sync2'],
  ['.sync', 'sync'],
];

export function parseResource(arn: string): TaskResource | undefined {
  let m = LAMBDA_RE.exec(arn);
  if (m) return m[4] ? { kind: 'lambda-function', arn, functionName: m[3]!, qualifier: m[4] } : { kind: 'lambda-function', arn, functionName: m[3]! };
  m = ACTIVITY_RE.exec(arn);
  if (m) return { kind: 'activity', arn, name: m[3]! };
  m = SERVICE_RE.exec(arn);
  if (m) {
    const service = m[1]!;
    const action = m[2]!;
    let api = action;
    let pattern: IntegrationPattern = 'request-response';
    for (const [suffix, p] of SUFFIXES) {
      if (action.endsWith(suffix)) {
        pattern = p;
        api = action.slice(0, -suffix.length);
        break;
      }
    }
    return { kind: 'service', arn, service, action, api, pattern };
  }
  return undefined;
}

/** Whether a service resource is an AWS SDK integration (`aws-sdk:SERVICE:ACTION`). */
export const isSdkIntegration = (r: Extract<TaskResource, { kind: 'service' }>): boolean => r.service.startsWith('aws-sdk:');

const R: IntegrationPattern = 'request-response';
const S: IntegrationPattern = 'sync';
const S2: IntegrationPattern = 'sync2';
const T: IntegrationPattern = 'callback';

/** Optimised integrations AWS offers: service -> action -> supported patterns. */
export const OPTIMIZED_INTEGRATIONS: Readonly<Record<string, Readonly<Record<string, readonly IntegrationPattern[]>>>> = {
  lambda: { invoke: [R, T] },
  states: { startExecution: [R, S, S2, T] },
  sns: { publish: [R, T] },
  sqs: { sendMessage: [R, T] },
  dynamodb: { getItem: [R], putItem: [R], updateItem: [R], deleteItem: [R] },
  events: { putEvents: [R, T] },
  apigateway: { invoke: [R, T] },
  http: { invoke: [R] },
  batch: { submitJob: [R, S, T] },
  ecs: { runTask: [R, S, T] },
  glue: { startJobRun: [R, S] },
  'glue-databrew': { startJobRun: [R, S] },
  athena: {
    startQueryExecution: [R, S],
    stopQueryExecution: [R],
    getQueryExecution: [R],
    getQueryResults: [R],
  },
  codebuild: {
    startBuild: [R, S],
    stopBuild: [R],
    batchDeleteBuilds: [R],
    batchGetReports: [R],
    startBuildBatch: [R, S],
    stopBuildBatch: [R],
    retryBuildBatch: [R, S],
    deleteBuildBatch: [R],
  },
  sagemaker: {
    createTrainingJob: [R, S],
    createTransformJob: [R, S],
    createProcessingJob: [R, S],
    createHyperParameterTuningJob: [R, S],
    createLabelingJob: [R, S],
    createModel: [R],
    createEndpoint: [R],
    createEndpointConfig: [R],
    updateEndpoint: [R],
  },
  eks: {
    createCluster: [R, S],
    deleteCluster: [R, S],
    createFargateProfile: [R, S],
    deleteFargateProfile: [R, S],
    createNodegroup: [R, S],
    deleteNodegroup: [R, S],
    runJob: [R, S],
    call: [R],
  },
  elasticmapreduce: {
    createCluster: [R, S],
    terminateCluster: [R, S],
    addStep: [R, S],
    cancelStep: [R],
    setClusterTerminationProtection: [R],
    modifyInstanceFleetByName: [R],
    modifyInstanceGroupByName: [R],
  },
  'emr-containers': { startJobRun: [R, S], createVirtualCluster: [R], deleteVirtualCluster: [R, S] },
  'emr-serverless': {
    createApplication: [R, S],
    startApplication: [R, S],
    stopApplication: [R, S],
    deleteApplication: [R, S],
    startJobRun: [R, S],
    cancelJobRun: [R, S],
  },
  bedrock: { invokeModel: [R], createModelCustomizationJob: [R, S] },
  mediaconvert: { createJob: [R, S] },
};

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);
const REGION_RE = /^[a-z0-9-]+$/;
// Integration ARNs usually leave region and account empty (`arn:aws:states:::sqs:sendMessage`); AWS
// also accepts them filled in (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject`, as in its samples).
const INTEGRATION_REGION_RE = /^(?:[a-z]{2}(?:-[a-z]+)+-\d+)?$/;
const ACCOUNT_RE = /^\d{12}$/;
const INTEGRATION_ACCOUNT_RE = /^(?:\d{12})?$/;
const FUNCTION_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER_RE = /^[A-Za-z0-9_$-]+$/;
const ACTIVITY_NAME_RE = /^[^\s]+$/;
const SERVICE_NAME_RE = /^[a-z0-9-]+$/;
const ACTION_RE = /^[A-Za-z0-9]+$/;
const SDK_SERVICE_RE = /^[a-z0-9.-]+$/;
const SDK_ACTION_RE = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The resource when AWS recognises its ARN (Lambda functions, activities, the optimised integrations in
 * the patterns each supports, AWS SDK integrations request-response or `.waitForTaskToken`); undefined
 * otherwise.
 */
export function recognizedResource(arn: string): TaskResource | undefined {
  const r = parseResource(arn);
  if (!r) return undefined;
  // partition, service, region, account: the fields before the resource itself.
  const [, partition, , region, account] = arn.split(':', 5) as [string, string, string, string, string];
  if (!PARTITIONS.has(partition)) return undefined;
  switch (r.kind) {
    case 'lambda-function':
      return REGION_RE.test(region) && ACCOUNT_RE.test(account) && FUNCTION_NAME_RE.test(r.functionName) && (r.qualifier === undefined || QUALIFIER_RE.test(r.qualifier)) ? r : undefined;
    case 'activity':
      return REGION_RE.test(region) && ACCOUNT_RE.test(account) && ACTIVITY_NAME_RE.test(r.name) ? r : undefined;
    case 'service': {
      if (!INTEGRATION_REGION_RE.test(region) || !INTEGRATION_ACCOUNT_RE.test(account)) return undefined;
      if (isSdkIntegration(r)) {
        const ok = SDK_SERVICE_RE.test(r.service.slice('aws-sdk:'.length)) && SDK_ACTION_RE.test(r.api) && (r.pattern === 'request-response' || r.pattern === 'callback');
        return ok ? r : undefined;
      }
      if (!SERVICE_NAME_RE.test(r.service) || !ACTION_RE.test(r.api)) return undefined;
      const actions = Object.hasOwn(OPTIMIZED_INTEGRATIONS, r.service) ? OPTIMIZED_INTEGRATIONS[r.service]! : undefined;
      const patterns = actions && Object.hasOwn(actions, r.api) ? actions[r.api]! : undefined;
      return patterns?.includes(r.pattern) ? r : undefined;
    }
  }
}

/** AWS's wording for a Resource it does not recognise. */
export function unrecognizedResourceMessage(arn: string): string {
  return `The resource provided ${arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`;
}
