/** What `onlinetime import ejabberd` reads from an ejabberd MySQL database (read-only). */

/** ejabberd's hash of a SCRAM-stored password: `sha` (SCRAM-SHA-1), `sha256`, `sha512`. */
export type EjabberdHash = 'sha1' | 'sha256' | 'sha512';

/**
 * One stored password of a user, as ejabberd keeps it: plaintext, or SCRAM keys in base64 (text exactly
 * as stored; the importer decodes and checks it).
 */
export type EjabberdPassword =
  | { readonly kind: 'plain'; readonly password: string }
  | {
      readonly kind: 'scram';
      readonly hash: EjabberdHash;
      readonly storedKey: string;
      readonly serverKey: string;
      readonly salt: string;
      readonly iterations: number;
    };

export interface EjabberdUser {
  /** The `username` column (a localpart, as ejabberd stored it). */
  readonly username: string;
  /** Every usable row of the user (the multi-hash schema has one row per hash `type`). */
  readonly passwords: readonly EjabberdPassword[];
  /** Rows of this user that could not be understood, with the reason. */
  readonly problems: readonly string[];
}

export interface EjabberdVcard {
  readonly username: string;
  /** vCard XML text as stored. */
  readonly vcard: string;
}

export interface EjabberdOnlineTime {
  readonly username: string;
  /** `youbao_onlinetime.onlinetime` exactly as stored (minutes; validated by the importer). */
  readonly onlinetime: string | null;
}

/** Which of the known table shapes the database has (null: the table is missing). */
export interface EjabberdSchema {
  readonly users: {
    /** Multi-host schema (`new_sql_schema`): rows are filtered by server_host = the domain. */
    readonly serverHost: boolean;
    /** ejabberd >= 24.x: one row per hash, `type` 1 plain, 2 sha, 3 sha256, 4 sha512. */
    readonly type: boolean;
    /** serverkey/salt/iterationcount columns (ejabberd >= 16.03). */
    readonly scram: boolean;
  } | null;
  readonly vcard: { readonly serverHost: boolean } | null;
  readonly onlineTime: { readonly serverHost: boolean } | null;
}

export interface EjabberdSource {
  readonly schema: EjabberdSchema;
  /** Users of one host, in pages ordered by username (streams: never the whole table at once). */
  users(host: string, pageSize?: number): AsyncIterable<EjabberdUser[]>;
  vcards(host: string, pageSize?: number): AsyncIterable<EjabberdVcard[]>;
  /** Rows of youbao_onlinetime (duplicates of a username are returned as they are). */
  onlineTimes(host: string, pageSize?: number): AsyncIterable<EjabberdOnlineTime[]>;
  close(): Promise<void>;
}
