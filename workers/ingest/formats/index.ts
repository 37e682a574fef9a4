import type { Format } from '../formats.js';
import { androidContacts } from './androidContacts.js';
import { androidSms } from './androidSms.js';
import { iosAddressBook } from './iosAddressBook.js';
import { iosCallHistory } from './iosCallHistory.js';
import { iosSms } from './iosSms.js';
import { smsBackupRestore } from './smsBackupRestore.js';
import { BUILTIN_EXPORTS } from './tabularExport.js';
import { ufdr } from './ufdr.js';
import { whatsappContacts } from './whatsappContacts.js';
import { whatsappMsgstore } from './whatsappMsgstore.js';
import { whatsappText } from './whatsappText.js';

/** Every format TOEX reads, most specific first: the first that matches a file reads it. */
export const FORMATS: readonly Format[] = [
  androidSms,
  iosSms,
  iosCallHistory,
  iosAddressBook,
  whatsappMsgstore,
  whatsappContacts,
  androidContacts,
  ufdr,
  smsBackupRestore,
  whatsappText,
  ...BUILTIN_EXPORTS,
];
