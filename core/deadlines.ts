// Deadlines shared by the scan workflow (which enforces them) and the monitoring that finds scans past them.
/**
 * Nothing waits forever: a scan still not terminal after this long (a dead browser queue, say) is failed as
 * `timeout` and recorded. Generous because time waiting in a large backlog counts too.
 */
export const SCAN_DEADLINE_MS = 6 * 60 * 60 * 1000;
