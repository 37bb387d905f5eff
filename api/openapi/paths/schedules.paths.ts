import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { CreateScheduleBody, ListSchedulesQuery, ScheduleIdParams } from '../../schemas/schedules.schema';
import { Schedule, ScheduleList, ScheduleTriggered } from '../../schemas/schedules.responses';
import { apiResponses, BODY_ERRORS, json, jsonBody, location, noContent } from '../responses';

const tags = ['Schedules'];
const path = ScheduleIdParams;

export const schedulesPaths: ZodOpenApiPathsObject = {
  '/api/schedules': {
    post: {
      operationId: 'createSchedule',
      tags,
      summary: 'Create a scan or audit schedule',
      requestBody: jsonBody(CreateScheduleBody),
      responses: apiResponses({ '201': json('Created.', Schedule, location) }, [...BODY_ERRORS, 403, 409, 503]),
    },
    get: {
      operationId: 'listSchedules',
      tags,
      summary: 'List schedules',
      requestParams: { query: ListSchedulesQuery },
      responses: apiResponses({ '200': json('The schedules.', ScheduleList) }, [400, 403, 503]),
    },
  },
  '/api/schedules/{scheduleId}': {
    get: {
      operationId: 'getSchedule',
      tags,
      summary: 'A schedule with its recent runs',
      requestParams: { path },
      responses: apiResponses({ '200': json('The schedule.', Schedule) }, [400, 404]),
    },
    delete: {
      operationId: 'deleteSchedule',
      tags,
      summary: 'Delete a schedule',
      requestParams: { path },
      responses: apiResponses({ '204': noContent }, [400, 404]),
    },
  },
  '/api/schedules/{scheduleId}/pause': {
    post: {
      operationId: 'pauseSchedule',
      tags,
      summary: 'Pause a schedule',
      requestParams: { path },
      responses: apiResponses({ '200': json('The schedule.', Schedule) }, [400, 404]),
    },
  },
  '/api/schedules/{scheduleId}/resume': {
    post: {
      operationId: 'resumeSchedule',
      tags,
      summary: 'Resume a schedule',
      requestParams: { path },
      responses: apiResponses({ '200': json('The schedule.', Schedule) }, [400, 404]),
    },
  },
  '/api/schedules/{scheduleId}/trigger': {
    post: {
      operationId: 'triggerSchedule',
      tags,
      summary: 'Run a schedule now',
      requestParams: { path },
      responses: apiResponses({ '202': json('Triggered.', ScheduleTriggered) }, [400, 404]),
    },
  },
};
