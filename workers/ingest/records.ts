/**
 * What a parser hands on: normalised records, each with a key that is stable
 * across runs over the same file (so a second ingest, or a resumed one,
 * stores nothing twice) and a pointer back to where it was read.
 */

/** Where in the evidence a record came from. */
export interface SourceRef {
  /** The file inside the evidence item (for an archive) or the item's own name. */
  file: string;
  table?: string;
  rowId?: number | string;
  /** For XML sources, the element's path, e.g. /project/decodedData/modelType[2]/model[17]. */
  xmlPath?: string;
  /** For text sources, the 1-based line the record starts on. */
  line?: number;
  /** For JSON sources, the record's JSON Pointer, e.g. /messages/17. */
  jsonPath?: string;
  /** For tabular exports, the columns the mapping read the record from. */
  columns?: string[];
}

export type Service =
  'sms' | 'mms' | 'imessage' | 'whatsapp' | 'telegram' | 'signal' | 'email' | 'call' | 'other';

export type Direction = 'incoming' | 'outgoing' | 'unknown';

/** A moment as the source gave it, in UTC, with the offset from UTC it was written in when known. */
export interface SourceTime {
  /** ISO 8601 in UTC (…Z), to the millisecond. */
  utc: string;
  /** Minutes east of UTC that the source's own clock showed, or null when the source says none. */
  offsetMinutes: number | null;
}

export interface ParticipantRecord {
  type: 'participant';
  key: string;
  /** E.164 (+447700900123) when the number parses, else the address as given. */
  identifier: string;
  /** The address exactly as the source wrote it. */
  raw: string;
  name: string | null;
  kind: 'phone' | 'email' | 'handle';
  source: SourceRef;
}

export interface ThreadRecord {
  type: 'thread';
  key: string;
  service: Service;
  title: string | null;
  isGroup: boolean;
  participantKeys: string[];
  source: SourceRef;
}

export interface AttachmentRecord {
  name: string | null;
  mime: string | null;
  size: number | null;
  /** Where the file is inside the evidence, when it is there. */
  path: string | null;
}

export interface MessageRecord {
  type: 'message';
  key: string;
  threadKey: string;
  /** The sender; null for the device's owner on an outgoing message, or when unknown. */
  senderKey: string | null;
  direction: Direction;
  sentAt: SourceTime | null;
  body: string | null;
  /** The source marks it deleted or it was recovered from free space. */
  deleted: boolean;
  attachments: AttachmentRecord[];
  /** Anything odd a reviewer should know of (e.g. "time-out-of-range", "body-truncated"). */
  flags: string[];
  /** What a reply quotes; absent on a message that quotes nothing. */
  quote?: QuoteRecord;
  /** Every version of an edited message's text the source keeps, oldest first. */
  history?: EditRecord[];
  source: SourceRef;
}

export interface EditRecord {
  /** Which part of the message (a message with attachments has several), from 0. */
  part: number;
  at: SourceTime | null;
  text: string | null;
}

export interface QuoteRecord {
  /** The key, in the same item, of the message replied to, when the source says which. */
  key: string | null;
  /** The quoted text as the source copied it into the reply. */
  text: string | null;
}

export interface CallRecord {
  type: 'call';
  key: string;
  participantKey: string | null;
  direction: 'incoming' | 'outgoing' | 'missed' | 'rejected' | 'unknown';
  startedAt: SourceTime | null;
  durationSeconds: number | null;
  deleted: boolean;
  /**
   * What the direction cannot say (e.g. "voicemail", "blocked", "number-withheld"); absent
   * means none.
   */
  flags?: string[];
  source: SourceRef;
}

export interface ContactRecord {
  type: 'contact';
  key: string;
  name: string | null;
  /** The contact's numbers and addresses, normalised as participants' are. */
  identifiers: string[];
  /** The source marks the contact deleted (absent: it does not). */
  deleted?: boolean;
  source: SourceRef;
}

/** An item that could not be read: reported, skipped, and the ingest goes on. */
export interface ProblemRecord {
  type: 'problem';
  key: string;
  message: string;
  source: SourceRef;
  /** A line of the ingest report saying what was read (in an archive: which format read a file), not what went wrong. */
  note?: boolean;
}

export type IngestRecord =
  ParticipantRecord | ThreadRecord | MessageRecord | CallRecord | ContactRecord | ProblemRecord;
