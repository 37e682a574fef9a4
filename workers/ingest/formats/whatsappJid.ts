import { normaliseAddress, type Address } from '../addresses.js';

/** A WhatsApp address ("jid") split into what an examiner reads from it. */
export interface Jid {
  /** The jid without its device or agent part, e.g. 447700900123@s.whatsapp.net. */
  jid: string;
  /** How the person is named in the case: E.164 for a phone number, else the jid as a handle. */
  address: Address | null;
  /** A group (@g.us) or a broadcast (status updates, broadcast lists): many people write in it. */
  isMultiParty: boolean;
}

const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us']);

/**
 * Reads a jid as msgstore.db and wa.db write it: `user[.agent][:device]@server`.
 * A user on a phone server is a number in international form without the
 * plus; an @lid user is an opaque id, kept as a handle.
 */
export function parseJid(raw: string, region: string): Jid | null {
  const text = raw.trim();
  if (!text) return null;
  const at = text.lastIndexOf('@');
  const handle = (jid: string): Jid => ({
    jid,
    address: { identifier: jid, kind: 'handle' },
    isMultiParty: false,
  });
  if (at <= 0) return handle(text);
  const server = text.slice(at + 1).toLowerCase();
  const user = text.slice(0, at).replace(/[.:].*$/, '');
  const jid = `${user}@${server}`;
  if (server === 'g.us' || server === 'broadcast') {
    return { jid, address: null, isMultiParty: true };
  }
  if (PHONE_SERVERS.has(server) && /^\d{7,15}$/.test(user)) {
    const address = normaliseAddress(`+${user}`, region);
    if (address.kind === 'phone') return { jid, address, isMultiParty: false };
  }
  return handle(jid);
}
