import { normaliseAddress, type Address } from '../addresses.js';
import type { AttachmentRecord, CallRecord, Service } from '../records.js';
import { fieldText, submodels, type XNode } from './ufdrNode.js';

const SERVICES: Record<string, Service> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  signal: 'signal',
  imessage: 'imessage',
  sms: 'sms',
  mms: 'mms',
};

/** A chat's Source (WhatsApp, Telegram, …) as one of TOEX's services. */
export function serviceOf(source: string | null): Service {
  return SERVICES[(source ?? '').trim().toLowerCase().replace(/\s+/g, '')] ?? 'other';
}

/**
 * A Party's Identifier as an address. WhatsApp's user ids carry the number
 * in international form before @s.whatsapp.net, so they become E.164; group
 * ids and other handles stay as written. Telegram's are account numbers, not
 * phone numbers, unless written with a leading +.
 */
export function partyAddress(raw: string, region: string, service: Service): Address {
  const text = raw.trim();
  const jid = /^\+?(\d{6,15})@s\.whatsapp\.net$/i.exec(text);
  if (jid) return normaliseAddress(`+${jid[1]}`, region);
  if (service === 'telegram' && !text.startsWith('+')) return { identifier: text, kind: 'handle' };
  return normaliseAddress(text, region);
}

export interface Party {
  raw: string;
  name: string | null;
  owner: boolean;
}

export function party(node: XNode): Party | null {
  const raw = fieldText(node, 'Identifier')?.trim() || null;
  const name = fieldText(node, 'Name')?.trim() || null;
  if (!raw && !name) return null;
  return {
    raw: raw ?? name!,
    name,
    owner: fieldText(node, 'IsPhoneOwner')?.trim().toLowerCase() === 'true',
  };
}

/** Cellebrite's call Type and Direction, which older and newer reports fill differently. */
export function callDirection(node: XNode): CallRecord['direction'] {
  const words = [fieldText(node, 'Type'), fieldText(node, 'Direction')].map((w) =>
    (w ?? '').trim().toLowerCase(),
  );
  if (words.includes('missed')) return 'missed';
  if (words.some((w) => w === 'rejected' || w === 'declined' || w === 'blocked')) return 'rejected';
  if (words.includes('incoming')) return 'incoming';
  if (words.includes('outgoing')) return 'outgoing';
  return 'unknown';
}

const REMOTE = /^[a-z][a-z0-9+.-]+:\/\//i;

export interface AttachmentRead {
  attachment: AttachmentRecord;
  flag: 'attachment-path-outside-archive' | 'attachment-not-in-evidence' | null;
}

/**
 * An Attachment model. Its file is linked only when the path it gives is
 * inside the archive and the archive holds it: a path that climbs out (`..`,
 * absolute, a drive letter) is never followed, only flagged. `names` is null
 * for a bare report.xml, which holds no files.
 */
export function attachment(node: XNode, names: Set<string> | null): AttachmentRead {
  const name = fieldText(node, 'Filename')?.trim() || null;
  const mime = fieldText(node, 'ContentType')?.trim() || null;
  const sizeText = fieldText(node, 'Size')?.trim() ?? '';
  const size = /^\d{1,15}$/.test(sizeText) ? Number(sizeText) : null;
  const url = fieldText(node, 'URL')?.trim() || null;
  // Where the extraction put the file inside the archive, as Physical Analyzer writes it.
  const extracted = fieldText(node, 'attachment_extracted_path')?.trim() || null;
  // The path the report gives wins; a bare file name is looked up only when it gives none.
  const given =
    extracted ??
    (url !== null && (!REMOTE.test(url) || /^file:/i.test(url))
      ? url
      : name !== null && (/[\\/]/.test(name) || (names?.has(name) ?? false))
        ? name
        : null);
  if (given === null) return { attachment: { name, mime, size, path: null }, flag: null };
  const candidate = given
    .replace(/^file:\/\//i, '')
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
  const climbs =
    candidate.startsWith('/') || /^[a-z]:/i.test(candidate) || candidate.split('/').includes('..');
  const path = !climbs && names?.has(candidate) ? candidate : null;
  const flag: AttachmentRead['flag'] = climbs
    ? 'attachment-path-outside-archive'
    : path === null
      ? 'attachment-not-in-evidence'
      : null;
  return { attachment: { name, mime, size, path }, flag };
}

/**
 * A message's attachments, with those of the messages embedded in it (an
 * album or a forwarded item, which Cellebrite writes as an InstantMessage
 * inside the message). Each is kept as written, even when two embedded
 * copies share an id: their contents may differ.
 */
export function attachmentsOf(message: XNode): { nodes: XNode[]; embedded: boolean } {
  const embedded = submodels(message, 'EmbeddedInstantMessage');
  const nodes = [message, ...embedded].flatMap((m) => [
    ...submodels(m, 'Attachments'),
    ...submodels(m, 'Attachment'),
  ]);
  return { nodes, embedded: embedded.length > 0 };
}
