-- Refusal messages used to name the address a target's host name resolved to ("target address 172.18.0.3 is in a
-- private range (resolved from postgres)"), and clients read them: scans.failure_message, scan_attempts.message and
-- scan_results.blocked_requests[].reason. Rewrite them the way they are written now, without the address.
-- (A message about an IP literal the client itself sent has no "resolved from" and is left as it is.)
UPDATE "scans"
SET "failure_message" = regexp_replace(
      regexp_replace("failure_message", '^target address \S+ is in (an? .+ range) \(resolved from ([^()]+)\)$', 'target host \2 resolves to an address that is not public (in \1)'),
      '^target address ".*" \(resolved from ([^()]+)\) is not a valid IP address$', 'target host \1 did not resolve to a valid IP address')
WHERE "failure_message" LIKE '%(resolved from %';

UPDATE "scan_attempts"
SET "message" = regexp_replace(
      regexp_replace("message", '^target address \S+ is in (an? .+ range) \(resolved from ([^()]+)\)$', 'target host \2 resolves to an address that is not public (in \1)'),
      '^target address ".*" \(resolved from ([^()]+)\) is not a valid IP address$', 'target host \1 did not resolve to a valid IP address')
WHERE "message" LIKE '%(resolved from %';

UPDATE "scan_results" r
SET "blocked_requests" = (
  SELECT coalesce(jsonb_agg(
           CASE WHEN jsonb_typeof(e) = 'object' AND e->>'reason' LIKE '%(resolved from %' THEN
             jsonb_set(e, '{reason}', to_jsonb(regexp_replace(
               regexp_replace(e->>'reason', '^target address \S+ is in (an? .+ range) \(resolved from ([^()]+)\)$', 'target host \2 resolves to an address that is not public (in \1)'),
               '^target address ".*" \(resolved from ([^()]+)\) is not a valid IP address$', 'target host \1 did not resolve to a valid IP address')))
           ELSE e END ORDER BY t.ord), '[]'::jsonb)
  FROM jsonb_array_elements(r."blocked_requests") WITH ORDINALITY AS t(e, ord)
)
WHERE jsonb_typeof(r."blocked_requests") = 'array' AND r."blocked_requests"::text LIKE '%(resolved from %';
