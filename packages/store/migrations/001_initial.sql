-- 001_initial: the tables of docs/architecture.md. Runs on MySQL 8.x and MariaDB 10.11.
--
-- Conventions:
-- * utf8mb4 everywhere; keys (JIDs, ids) use utf8mb4_bin so equality and order are by code point on
--   both servers (their default collations differ: utf8mb4_0900_ai_ci vs utf8mb4_general_ci).
-- * Bare JIDs are VARCHAR(255): a localpart@domain of at most 255 characters (RFC 7622 allows up to
--   2047 bytes, which no real deployment uses). 255 x 4 bytes = 1020 bytes per key column, and every
--   primary or secondary key below stays under InnoDB's 3072-byte limit (ROW_FORMAT=DYNAMIC, the default
--   of both servers, made explicit).
-- * Times and durations are epoch milliseconds in BIGINT; Kafka offsets are BIGINT.
-- * CREATE TABLE IF NOT EXISTS with inline indexes (MySQL has no CREATE INDEX IF NOT EXISTS), so a
--   migration interrupted halfway can simply run again.

CREATE TABLE IF NOT EXISTS users (
  jid VARCHAR(255) NOT NULL,
  sha1_salt VARBINARY(255) NOT NULL,
  sha1_iterations INT UNSIGNED NOT NULL,
  sha1_stored_key VARBINARY(64) NOT NULL,
  sha1_server_key VARBINARY(64) NOT NULL,
  sha256_salt VARBINARY(255) NOT NULL,
  sha256_iterations INT UNSIGNED NOT NULL,
  sha256_stored_key VARBINARY(64) NOT NULL,
  sha256_server_key VARBINARY(64) NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (jid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

CREATE TABLE IF NOT EXISTS vcards (
  jid VARCHAR(255) NOT NULL,
  xml MEDIUMTEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (jid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

CREATE TABLE IF NOT EXISTS online_time (
  jid VARCHAR(255) NOT NULL,
  total_ms BIGINT NOT NULL,
  online_since BIGINT NULL,
  last_login BIGINT NULL,
  last_logout BIGINT NULL,
  balance_ms BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (jid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

CREATE TABLE IF NOT EXISTS open_sessions (
  session_id VARCHAR(255) NOT NULL,
  jid VARCHAR(255) NOT NULL,
  resource VARCHAR(1023) NOT NULL,
  edge_id VARCHAR(255) NOT NULL,
  boot_id VARCHAR(255) NOT NULL,
  ip VARCHAR(64) NULL,
  started_at BIGINT NOT NULL,
  PRIMARY KEY (session_id),
  KEY open_sessions_jid (jid),
  KEY open_sessions_boot (edge_id, boot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

-- One row per finished session (the audit trail); started_at is NULL for a tombstone: a stop whose
-- session never started here, recorded so that a late start of that id is ignored.
CREATE TABLE IF NOT EXISTS session_log (
  session_id VARCHAR(255) NOT NULL,
  jid VARCHAR(255) NOT NULL,
  resource VARCHAR(1023) NOT NULL,
  edge_id VARCHAR(255) NOT NULL,
  boot_id VARCHAR(255) NOT NULL,
  ip VARCHAR(64) NULL,
  started_at BIGINT NULL,
  stopped_at BIGINT NOT NULL,
  reason VARCHAR(64) NOT NULL,
  PRIMARY KEY (session_id),
  KEY session_log_jid (jid, stopped_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

-- Next offset to read per (consumer group, topic, partition), written in the same transaction as the
-- accounting changes. next_offset is NULL for a row created only to be locked (nothing applied yet).
-- Kafka topic names are at most 249 characters.
CREATE TABLE IF NOT EXISTS consumer_offsets (
  group_id VARCHAR(255) NOT NULL,
  topic VARCHAR(249) NOT NULL,
  partition_id INT NOT NULL,
  next_offset BIGINT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, topic, partition_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;

-- Every edge boot the reaper has heard of.
CREATE TABLE IF NOT EXISTS edge_boots (
  edge_id VARCHAR(255) NOT NULL,
  boot_id VARCHAR(255) NOT NULL,
  started_at BIGINT NOT NULL,
  last_heartbeat BIGINT NOT NULL,
  stopped_at BIGINT NULL,
  PRIMARY KEY (edge_id, boot_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC;
