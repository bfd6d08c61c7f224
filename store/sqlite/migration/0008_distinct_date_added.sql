-- Every entry of a collection gets its own date_added (TAXII 2.1 §3.4.1), so
-- that a client paging by added_after = X-TAXII-Date-Added-Last alone loses
-- nothing. From now on the store stamps entries one by one in commit order
-- (store/sqlite/stamp.go). Rows stored before share their submission's time;
-- the hub re-stamps them once after this migration (restamp_pending is the
-- marker it clears), keeping their order.
DROP TRIGGER taxii_intake_fill;
CREATE TABLE restamp_pending (done INTEGER NOT NULL);
INSERT INTO restamp_pending VALUES (0);
