import { Router } from 'express';
import { principalOf } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { CreateScheduleBody, ListSchedulesQuery, ScheduleIdParams } from '../schemas/schedules.schema';
import type { ScheduleService } from '../services/schedule.service';

/** /api/schedules: create, list, get, pause, resume, trigger now, delete. */
export function schedulesRouter(schedules: ScheduleService): Router {
  const router = Router();

  router.post(
    '/',
    validate({ body: CreateScheduleBody }, async ({ body }, _req, res) => {
      const created = await schedules.create(body, principalOf(res));
      res.status(201).location(`/api/schedules/${created.scheduleId}`).json(created);
    }),
  );
  router.get(
    '/',
    validate({ query: ListSchedulesQuery }, async ({ query }, _req, res) => {
      res.json(await schedules.list(principalOf(res), query));
    }),
  );
  router.get(
    '/:scheduleId',
    validate({ params: ScheduleIdParams }, async ({ params }, _req, res) => {
      res.json(await schedules.get(params.scheduleId, principalOf(res)));
    }),
  );
  router.post(
    '/:scheduleId/pause',
    validate({ params: ScheduleIdParams }, async ({ params }, _req, res) => {
      res.json(await schedules.pause(params.scheduleId, principalOf(res), true));
    }),
  );
  router.post(
    '/:scheduleId/resume',
    validate({ params: ScheduleIdParams }, async ({ params }, _req, res) => {
      res.json(await schedules.pause(params.scheduleId, principalOf(res), false));
    }),
  );
  router.post(
    '/:scheduleId/trigger',
    validate({ params: ScheduleIdParams }, async ({ params }, _req, res) => {
      await schedules.trigger(params.scheduleId, principalOf(res));
      res.status(202).json({ scheduleId: params.scheduleId, status: 'triggered' });
    }),
  );
  router.delete(
    '/:scheduleId',
    validate({ params: ScheduleIdParams }, async ({ params }, _req, res) => {
      await schedules.remove(params.scheduleId, principalOf(res));
      res.status(204).end();
    }),
  );
  return router;
}
