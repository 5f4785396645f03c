-- A pass the dispatcher made on a resident's behalf (a phone call): who made it. The resident
-- stays its owner (created_by: told when the visitor comes).
ALTER TABLE passes ADD COLUMN issued_by INTEGER REFERENCES users(id);
-- A camera's doubtful read is matched against the house's plates one character off: one
-- substitution leaves one half of the plate intact, so each half is looked up by index instead of
-- scanning every plate (the expressions are passes::gates' PLATE_HEAD and PLATE_TAIL).
CREATE INDEX passes_plate_head ON passes (house_id, substr(plate, 1, length(plate) / 2));
CREATE INDEX passes_plate_tail ON passes (house_id, substr(plate, length(plate) / 2 + 1));
