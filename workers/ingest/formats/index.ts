import type { Format } from '../formats.js';
import { adbBackup } from './adbBackup.js';
import { androidContacts } from './androidContacts.js';
import { androidSms } from './androidSms.js';
import { androidTelephonyBackup } from './androidTelephonyBackup.js';
import { iosAddressBook } from './iosAddressBook.js';
import { iosCallHistory } from './iosCallHistory.js';
import { iosSms } from './iosSms.js';
import { fsArchive } from './phoneArchive.js';
import { smsBackupRestore } from './smsBackupRestore.js';
import { BUILTIN_EXPORTS } from './tabularExport.js';
import { telegramJson } from './telegramJson.js';
import { ufdr } from './ufdr.js';
import { vcard } from './vcard.js';
import { whatsappContacts } from './whatsappContacts.js';
import { whatsappIos } from './whatsappIos.js';
import { whatsappMsgstore } from './whatsappMsgstore.js';
import { whatsappText } from './whatsappText.js';

/** The formats of single sources, which may also be found inside an archive. */
const SOURCES: readonly Format[] = [
  androidSms,
  iosSms,
  iosCallHistory,
  iosAddressBook,
  whatsappMsgstore,
  whatsappContacts,
  whatsappIos,
  androidContacts,
  ufdr,
  smsBackupRestore,
  vcard,
  telegramJson,
  whatsappText,
  androidTelephonyBackup,
  ...BUILTIN_EXPORTS,
];

/**
 * Every format TOEX reads, most specific first: the first that matches a file
 * reads it. The archive formats come last, so that a UFDR zip or a chat
 * export zip is read as such and any other zip or tar as a phone's files.
 */
export const FORMATS: readonly Format[] = [...SOURCES, adbBackup(SOURCES), fsArchive(SOURCES)];
