-- Bulks submitted with the admin key were recorded as submitted_by = 'admin', which is also a valid client id: a
-- client key for a client named "admin" could read and cancel the operator's bulks. The operator is now recorded
-- as '@operator' ("@" is a character no client id may contain) and "admin" is a reserved client id.
-- A bulk submitted by a client key of a client literally named "admin" cannot be told apart from an operator's;
-- both become the operator's (fail closed: that client loses sight of them; the operator sees every bulk anyway).
UPDATE "bulks" SET "submitted_by" = '@operator' WHERE "submitted_by" = 'admin';
