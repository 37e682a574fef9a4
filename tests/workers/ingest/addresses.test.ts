import { describe, expect, it } from 'vitest';

import { normaliseAddress } from '../../../workers/ingest/addresses.js';

describe('normaliseAddress', () => {
  it.each([
    ['07700 900123', 'GB', '+447700900123', 'phone'],
    ['+44 7700 900123', 'RO', '+447700900123', 'phone'],
    ['0044 7700 900123', 'GB', '+447700900123', 'phone'],
    ['0721 234 567', 'RO', '+40721234567', 'phone'],
    ['1 555-521-5554', 'US', '+15555215554', 'phone'],
    ['Jane.Doe@Example.org', 'GB', 'jane.doe@example.org', 'email'],
    ['BANK', 'GB', 'BANK', 'handle'],
    ['82222', 'GB', '82222', 'handle'],
    // As a right-to-left export writes a number: between direction marks, with no-break spaces.
    ['\u202a+40\u00a0721\u00a0234\u00a0567\u202c', 'GB', '+40721234567', 'phone'],
  ])('reads %s (device in %s) as %s', (raw, region, identifier, kind) => {
    expect(normaliseAddress(raw, region)).toEqual({ identifier, kind });
  });
});
