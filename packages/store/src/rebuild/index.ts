export {
  openRebuildTarget,
  readRecordedOffsets,
  REBUILT_TABLES,
  type RebuildTarget,
} from './rebuild-target.js';
