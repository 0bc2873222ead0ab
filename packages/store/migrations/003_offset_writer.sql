-- 003_offset_writer: who wrote each partition's next offset.
--
-- A sessions worker keeps the user states it committed in memory and trusts them only while the
-- partition's row still holds the offset AND the writer token of its own last commit. Anything else
-- that writes the row leaves the token NULL (a rebuild's swap, a row recreated after a reset) or
-- writes its own (another worker), so the cache is dropped. NULL for rows written before this
-- migration. One statement, so the migration is applied wholly or not at all.
ALTER TABLE consumer_offsets ADD COLUMN writer VARCHAR(64) NULL;
