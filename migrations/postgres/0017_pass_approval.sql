-- Passes over a flat's limits: the resident may ask the dispatcher for an exception; such a pass
-- lets no one in until approved. A contractor's pass is noticed once before it ends.
ALTER TABLE passes ADD COLUMN approval TEXT CHECK (approval IN ('pending','approved','refused'));
-- the resident's reason for the exception, then the dispatcher's for refusing it
ALTER TABLE passes ADD COLUMN approval_note TEXT;
ALTER TABLE passes ADD COLUMN decided_by BIGINT REFERENCES users(id);
ALTER TABLE passes ADD COLUMN decided_at TIMESTAMPTZ;
-- when the resident was told a contractor's pass is about to end
ALTER TABLE passes ADD COLUMN ending_noticed_at TIMESTAMPTZ;
CREATE INDEX passes_approval ON passes(approval);
