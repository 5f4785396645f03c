-- The approvals queue reads the few pending residencies, not every residency of the register.
CREATE INDEX residencies_pending ON residencies(created_at) WHERE status = 'pending';
