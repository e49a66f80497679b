/**
 * AWS services as Step Functions names them in `aws-sdk:SERVICE:ACTION` resources: the AWS SDK for JavaScript v3
 * client package that calls each, the PascalCase name AWS gives its errors (`<Name>.<Error>Exception`), and Step
 * Functions Local's endpoint variable where it has one. Services missing here follow the SDK's own naming
 * (`@aws-sdk/client-<service>`, the error name capitalised).
 * @module
 */

export interface AwsService {
  /** The service as the resource names it (lower case): s3, dynamodb, secretsmanager … */
  id: string;
  /** The client package. */
  pkg: string;
  /** The service in AWS's error names for SDK integrations: S3, DynamoDb, SecretsManager … */
  errorName: string;
  /** Step Functions Local's endpoint variable for this service. */
  localEndpointEnv?: string;
}

const KNOWN: Record<string, Omit<AwsService, 'id'>> = {
  s3: { pkg: '@aws-sdk/client-s3', errorName: 'S3' },
  dynamodb: { pkg: '@aws-sdk/client-dynamodb', errorName: 'DynamoDb', localEndpointEnv: 'DYNAMODB_ENDPOINT' },
  sqs: { pkg: '@aws-sdk/client-sqs', errorName: 'Sqs', localEndpointEnv: 'SQS_ENDPOINT' },
  sns: { pkg: '@aws-sdk/client-sns', errorName: 'Sns', localEndpointEnv: 'SNS_ENDPOINT' },
  eventbridge: { pkg: '@aws-sdk/client-eventbridge', errorName: 'EventBridge', localEndpointEnv: 'EVENTBRIDGE_ENDPOINT' },
  ecs: { pkg: '@aws-sdk/client-ecs', errorName: 'Ecs', localEndpointEnv: 'ECS_ENDPOINT' },
  batch: { pkg: '@aws-sdk/client-batch', errorName: 'Batch', localEndpointEnv: 'BATCH_ENDPOINT' },
  secretsmanager: { pkg: '@aws-sdk/client-secrets-manager', errorName: 'SecretsManager' },
  ssm: { pkg: '@aws-sdk/client-ssm', errorName: 'Ssm' },
  lambda: { pkg: '@aws-sdk/client-lambda', errorName: 'Lambda', localEndpointEnv: 'LAMBDA_ENDPOINT' },
  sfn: { pkg: '@aws-sdk/client-sfn', errorName: 'Sfn' },
  sts: { pkg: '@aws-sdk/client-sts', errorName: 'Sts' },
  kms: { pkg: '@aws-sdk/client-kms', errorName: 'Kms' },
  kinesis: { pkg: '@aws-sdk/client-kinesis', errorName: 'Kinesis' },
  firehose: { pkg: '@aws-sdk/client-firehose', errorName: 'Firehose' },
  cloudwatch: { pkg: '@aws-sdk/client-cloudwatch', errorName: 'CloudWatch' },
  cloudwatchlogs: { pkg: '@aws-sdk/client-cloudwatch-logs', errorName: 'CloudWatchLogs' },
  ec2: { pkg: '@aws-sdk/client-ec2', errorName: 'Ec2' },
  iam: { pkg: '@aws-sdk/client-iam', errorName: 'Iam' },
  athena: { pkg: '@aws-sdk/client-athena', errorName: 'Athena' },
  glue: { pkg: '@aws-sdk/client-glue', errorName: 'Glue' },
  rds: { pkg: '@aws-sdk/client-rds', errorName: 'Rds' },
  ses: { pkg: '@aws-sdk/client-ses', errorName: 'Ses' },
  sesv2: { pkg: '@aws-sdk/client-sesv2', errorName: 'SesV2' },
  apigateway: { pkg: '@aws-sdk/client-api-gateway', errorName: 'ApiGateway' },
  bedrockruntime: { pkg: '@aws-sdk/client-bedrock-runtime', errorName: 'BedrockRuntime' },
  codebuild: { pkg: '@aws-sdk/client-codebuild', errorName: 'CodeBuild' },
  acmpca: { pkg: '@aws-sdk/client-acm-pca', errorName: 'AcmPca' },
  cognitoidentityprovider: { pkg: '@aws-sdk/client-cognito-identity-provider', errorName: 'CognitoIdentityProvider' },
};

export function awsService(id: string): AwsService {
  const known = KNOWN[id];
  if (known) return { id, ...known };
  return { id, pkg: `@aws-sdk/client-${id}`, errorName: id.charAt(0).toUpperCase() + id.slice(1) };
}

/** `getObject` -> `GetObjectCommand`. */
export const commandName = (action: string): string => `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
