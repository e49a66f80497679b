/**
 * Task `Resource` ARNs: what kind of work a Task state does, and which history events describe it.
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
    if (action.endsWith('.waitForTaskToken')) {
      pattern = 'callback';
      api = action.slice(0, -'.waitForTaskToken'.length);
    } else if (action.endsWith('.sync:2')) {
      pattern = 'sync2';
      api = action.slice(0, -'.sync:2'.length);
    } else if (action.endsWith('.sync')) {
      pattern = 'sync';
      api = action.slice(0, -'.sync'.length);
    }
    return { kind: 'service', arn, service, action, api, pattern };
  }
  return undefined;
}
