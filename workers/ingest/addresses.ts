import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface Address {
  /** E.164 for a phone number that parses, lower case for an e-mail, else as given. */
  identifier: string;
  kind: 'phone' | 'email' | 'handle';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Normalises an address as a phone holds it. Numbers without a country code
 * are read as the device's country (`region`); a sender name such as "BANK"
 * or a short code stays as it was, marked as a handle.
 */
export function normaliseAddress(raw: string, region: string): Address {
  // Direction marks and no-break spaces, as right-to-left exports write around a number, are
  // not part of it.
  const text = raw
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .trim();
  if (EMAIL.test(text)) return { identifier: text.toLowerCase(), kind: 'email' };
  const digits = text.replace(/[^\d]/g, '');
  if (digits.length >= 7 && /^[+\d\s().-]+$/.test(text)) {
    const parsed = parsePhoneNumberFromString(text, region.toUpperCase() as CountryCode);
    if (parsed?.isPossible()) return { identifier: parsed.number, kind: 'phone' };
  }
  return { identifier: text, kind: 'handle' };
}
