/**
 * Task `Resource` ARNs AWS recognises: Lambda functions, activities, optimised service integrations
 * (`arn:aws:states:::service:action[.sync|.sync:2|.waitForTaskToken]`), AWS SDK integrations
 * (`arn:aws:states:::aws-sdk:service:action`) and HTTP Task (`arn:aws:states:::http:invoke`); an
 * integration ARN may carry a region and account (`arn:aws:states:us-east-1:123456789012:sqs:sendMessage`).
 * @module
 */

export type IntegrationPattern = 'request' | 'sync' | 'sync2' | 'token';

export type ParsedResource =
  | { kind: 'lambda' }
  | { kind: 'activity' }
  | { kind: 'service'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'sdk'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'unknown' };

const R: IntegrationPattern = 'request';
const S: IntegrationPattern = 'sync';
const S2: IntegrationPattern = 'sync2';
const T: IntegrationPattern = 'token';

/** Optimised integrations: service -> action -> supported patterns. */
const SERVICES: Record<string, Record<string, readonly IntegrationPattern[]>> = {
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

const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const LAMBDA_RE = new RegExp(`^arn:${PARTITION}:lambda:[a-z0-9-]+:\\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]+)?$`);
const ACTIVITY_RE = new RegExp(`^arn:${PARTITION}:states:[a-z0-9-]+:\\d{12}:activity:[^\\s]+$`);
// Integration ARNs usually leave region and account empty (`arn:aws:states:::sqs:sendMessage`); AWS
// also accepts them filled in (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject`, as in its samples).
const INTEGRATION = `arn:${PARTITION}:states:(?:[a-z]{2}(?:-[a-z]+)+-\\d+)?:(?:\\d{12})?:`;
const SERVICE_RE = new RegExp(`^${INTEGRATION}([a-z0-9-]+):([A-Za-z0-9]+)(\\.sync(?::2)?|\\.waitForTaskToken)?$`);
const SDK_RE = new RegExp(`^${INTEGRATION}aws-sdk:([a-z0-9.-]+):([A-Za-z][A-Za-z0-9]*)(\\.waitForTaskToken)?$`);

function pattern(suffix: string | undefined): IntegrationPattern {
  if (suffix === '.sync') return 'sync';
  if (suffix === '.sync:2') return 'sync2';
  if (suffix === '.waitForTaskToken') return 'token';
  return 'request';
}

export function parseResource(arn: string): ParsedResource {
  if (LAMBDA_RE.test(arn)) return { kind: 'lambda' };
  if (ACTIVITY_RE.test(arn)) return { kind: 'activity' };
  let m = SDK_RE.exec(arn);
  if (m) return { kind: 'sdk', service: m[1]!, action: m[2]!, pattern: pattern(m[3]) };
  m = SERVICE_RE.exec(arn);
  if (m) {
    const service = m[1]!;
    const action = m[2]!;
    const p = pattern(m[3]);
    const actions = Object.hasOwn(SERVICES, service) ? SERVICES[service]! : undefined;
    const patterns = actions && Object.hasOwn(actions, action) ? actions[action]! : undefined;
    if (patterns?.includes(p)) return { kind: 'service', service, action, pattern: p };
  }
  return { kind: 'unknown' };
}

/** AWS's wording for a Resource it does not recognise. */
export function unrecognizedResourceMessage(arn: string): string {
  return `The resource provided ${arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`;
}
