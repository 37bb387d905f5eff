import type { Client } from '@temporalio/client';
import pino from 'pino';
import { loadEnv } from '../lib/env';
import type { PrismaClient } from '../lib/prisma';
import { buildHealthReport } from '../monitoring/health';
import { createApp } from './app';
import { healthMonitoringRouter } from './routes/health-monitoring.router';
import { queueMonitoringRouter } from './routes/queue-monitoring.router';
import { createUiService } from './ui/ui.service';

// Wrapped, not replaced: the app is built with the real services, and the test sees what each consumer was handed.
jest.mock('./ui/ui.service', () => {
  const actual = jest.requireActual('./ui/ui.service');
  return { ...actual, createUiService: jest.fn(actual.createUiService) };
});
jest.mock('./routes/health-monitoring.router', () => {
  const actual = jest.requireActual('./routes/health-monitoring.router');
  return { ...actual, healthMonitoringRouter: jest.fn(actual.healthMonitoringRouter) };
});
jest.mock('./routes/queue-monitoring.router', () => {
  const actual = jest.requireActual('./routes/queue-monitoring.router');
  return { ...actual, queueMonitoringRouter: jest.fn(actual.queueMonitoringRouter) };
});
jest.mock('../monitoring/health', () => ({ ...jest.requireActual('../monitoring/health'), buildHealthReport: jest.fn() }));

describe('createApp', () => {
  const temporal = {
    workflowService: { describeTaskQueue: jest.fn(async () => ({ pollers: [{ identity: 'w:1' }] })) },
    workflow: { execute: jest.fn(async () => ({ status: 'ok', actions: [] })) },
  } as unknown as Client;

  beforeAll(() => {
    createApp({
      env: loadEnv({}),
      adminKey: 'admin-key-for-the-test-0123456789',
      prisma: {} as PrismaClient,
      temporal,
      logger: pino({ level: 'silent' }),
      urlPolicy: { allowPrivate: false, allowedPorts: [] } as never,
    });
  });

  it('hands the Web UI the very service instances the JSON routers use', () => {
    expect(createUiService).toHaveBeenCalledTimes(1);
    expect(healthMonitoringRouter).toHaveBeenCalledTimes(1);
    const ui = jest.mocked(createUiService).mock.calls[0][0];
    const routes = jest.mocked(healthMonitoringRouter).mock.calls[0][0];
    expect(ui.health).toBe(routes.health);
    expect(ui.monitoring).toBe(routes.queue);
    expect(ui.monitoring).toBe(jest.mocked(queueMonitoringRouter).mock.calls[0][0]);
  });

  it('a recovery run through the API clears the health answer the dashboard reads', async () => {
    const report = (status: string) => ({ status, components: {}, workers: [] }) as never;
    jest.mocked(buildHealthReport).mockResolvedValueOnce(report('degraded')).mockResolvedValueOnce(report('ok'));
    const ui = jest.mocked(createUiService).mock.calls[0][0];
    const routes = jest.mocked(healthMonitoringRouter).mock.calls[0][0];
    expect((await ui.health.health()).status).toBe('degraded');
    expect((await ui.health.health()).status).toBe('degraded'); // cached
    await routes.health.recover();
    expect((await ui.health.health()).status).toBe('ok');
    expect(buildHealthReport).toHaveBeenCalledTimes(2);
  });
});
