-- Web UI sessions are bound to the key that opened them (issue 13, finding 11): a session ends when that key stops
-- signing anyone in (ADMIN_API_KEY changed, client key revoked). key_fingerprint is a client key's SHA-256 (the same
-- value as api_keys.key_hash) or the admin key's scrypt (api/ui/session.ts keyFingerprint).
-- Nullable so an API instance still running the previous release can keep opening sessions during a rolling
-- deploy; the new release refuses rows without it, so everyone signs in once more after the upgrade.
ALTER TABLE "ui_sessions" ADD COLUMN "key_fingerprint" TEXT;
