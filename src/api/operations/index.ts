/**
 * The operations table: `X-Amz-Target: AWSStepFunctions.<Name>` → handler.
 * @module
 */
import type { Operation } from '../context.js';
import * as activities from './activities.js';
import * as executions from './executions.js';
import * as mapRuns from './map-runs.js';
import * as machines from './state-machines.js';
import * as tags from './tags.js';
import { testState } from './teststate.js';
import * as versions from './versions-aliases.js';

export const operations: Record<string, Operation> = {
  CreateStateMachine: machines.createStateMachine,
  DescribeStateMachine: machines.describeStateMachine,
  ListStateMachines: machines.listStateMachines,
  UpdateStateMachine: machines.updateStateMachine,
  DeleteStateMachine: machines.deleteStateMachine,
  ValidateStateMachineDefinition: machines.validateStateMachineDefinition,
  PublishStateMachineVersion: versions.publishStateMachineVersion,
  ListStateMachineVersions: versions.listStateMachineVersions,
  DeleteStateMachineVersion: versions.deleteStateMachineVersion,
  CreateStateMachineAlias: versions.createStateMachineAlias,
  DescribeStateMachineAlias: versions.describeStateMachineAlias,
  UpdateStateMachineAlias: versions.updateStateMachineAlias,
  DeleteStateMachineAlias: versions.deleteStateMachineAlias,
  ListStateMachineAliases: versions.listStateMachineAliases,
  StartExecution: executions.startExecution,
  StartSyncExecution: executions.startSyncExecution,
  DescribeExecution: executions.describeExecution,
  ListExecutions: executions.listExecutions,
  GetExecutionHistory: executions.getExecutionHistory,
  StopExecution: executions.stopExecution,
  RedriveExecution: executions.redriveExecution,
  DescribeStateMachineForExecution: executions.describeStateMachineForExecution,
  DescribeMapRun: mapRuns.describeMapRun,
  ListMapRuns: mapRuns.listMapRuns,
  UpdateMapRun: mapRuns.updateMapRun,
  CreateActivity: activities.createActivity,
  DescribeActivity: activities.describeActivity,
  ListActivities: activities.listActivities,
  DeleteActivity: activities.deleteActivity,
  GetActivityTask: activities.getActivityTask,
  SendTaskSuccess: activities.sendTaskSuccess,
  SendTaskFailure: activities.sendTaskFailure,
  SendTaskHeartbeat: activities.sendTaskHeartbeat,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
  TestState: testState,
};
