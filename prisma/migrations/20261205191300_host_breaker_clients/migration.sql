-- Host circuit breakers (issue #13, finding 3): remember which clients' scans produced the current failure streak,
-- so one client's failures alone cannot open a breaker that stops every client's scans of the host.
ALTER TABLE "circuit_breakers" ADD COLUMN "failure_clients" JSONB NOT NULL DEFAULT '{}';
