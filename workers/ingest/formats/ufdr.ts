import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

import type { FileFormat, ParseContext } from '../formats.js';
import type {
  IngestRecord,
  MessageRecord,
  ParticipantRecord,
  Service,
  SourceRef,
} from '../records.js';
import { isReportXml, isZip, openUfdrArchive, zipHoldsReport } from './ufdrArchive.js';
import {
  attachment,
  attachmentsOf,
  callDirection,
  party,
  partyAddress,
  serviceOf,
  type Party,
} from './ufdrModels.js';
import { fieldText, modelStep, submodels, type XNode } from './ufdrNode.js';
import { readReport, type ReportUnit } from './ufdrReader.js';
import { ufdrDuration, ufdrTime } from './ufdrTime.js';

/**
 * Cellebrite's UFDR: a zip holding report.xml and the files it points to, or
 * a report.xml on its own. Chats with their participants and messages, calls
 * and contacts are read; each record points back to its model's XML path.
 */
export const ufdr: FileFormat = {
  kind: 'file',
  id: 'cellebrite.ufdr',
  label: 'Cellebrite UFDR (report.xml)',

  matches(file) {
    if (isZip(file.head)) return zipHoldsReport(file.path, file.size);
    return isReportXml(file.head);
  },

  async *parse(ctx) {
    let stream: Readable;
    let names: Set<string> | null = null;
    let total = ctx.file.size;
    let close = () => {};
    let expectedCrc: number | null = null;
    const inArchive = isZip(ctx.file.head);
    if (inArchive) {
      const archive = await openUfdrArchive(ctx.file.path);
      stream = archive.report;
      names = archive.names;
      total = archive.reportBytes;
      close = archive.close;
      expectedCrc = archive.reportCrc;
      if (archive.unsafeNames > 0) {
        yield {
          type: 'problem',
          key: 'problem:unsafe-names',
          message: `${archive.unsafeNames} archive entries have names that leave the archive (absolute or ..); they were not read`,
          source: { file: ctx.file.name },
        } satisfies IngestRecord;
      }
    } else {
      stream = createReadStream(ctx.file.path, { highWaterMark: 256 * 1024 });
    }
    try {
      const reader = new UnitReader(ctx, names, inArchive ? 'report.xml' : null);
      let crc = 0;
      let whole = false;
      const chunks = async function* () {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          crc = crc32(chunk, crc);
          yield chunk;
        }
        whole = true;
      };
      for await (const unit of readReport(chunks(), (n) => ctx.progress(n, total), ctx.signal)) {
        yield* reader.read(unit);
      }
      // A damaged deflate stream can unpack to wrong bytes without an error: only the CRC tells.
      if (whole && expectedCrc !== null && crc >>> 0 !== expectedCrc >>> 0) {
        yield {
          type: 'problem',
          key: 'problem:crc',
          message:
            'report.xml fails its CRC-32 check: the archive is damaged, and text read from it may be too',
          source: { file: inArchive ? `${ctx.file.name}!/report.xml` : ctx.file.name },
        } satisfies IngestRecord;
      }
      ctx.progress(total, total);
    } finally {
      stream.destroy();
      close();
    }
  },
};

/** Turns report units into records, keeping the people already named and each chat's owner. */
class UnitReader {
  private readonly seen = new Set<string>();
  /** Threads of SMS, MMS and Email already described. */
  private readonly threads = new Set<string>();
  private owners = new Set<string>();
  private chatService: Service = 'other';
  private readonly file: string;

  constructor(
    private readonly ctx: ParseContext,
    private readonly names: Set<string> | null,
    inner: string | null,
  ) {
    this.file = inner ? `${ctx.file.name}!/${inner}` : ctx.file.name;
  }

  *read(unit: ReportUnit): Generator<IngestRecord> {
    const source: SourceRef = { file: this.file, xmlPath: unit.path };
    if (unit.kind === 'problem') {
      yield { type: 'problem', key: unit.key, message: unit.message, source };
      return;
    }
    try {
      if (unit.kind === 'chat') yield* this.chat(unit.node, unit.key, source);
      else if (unit.kind === 'message') yield* this.message(unit, source);
      else if (unit.node.attrs.type === 'Call') yield* this.call(unit.node, unit.key, source);
      else if (unit.node.attrs.type === 'Contact') yield* this.contact(unit.node, unit.key, source);
      else yield* this.standalone(unit, source);
    } catch (err) {
      yield {
        type: 'problem',
        key: `problem:${unit.key}`,
        message: `a ${unit.node.attrs.type ?? 'model'} could not be read (${(err as Error).message})`,
        source,
      };
    }
  }

  private *participant(
    p: Party | null,
    service: Service,
    source: SourceRef,
  ): Generator<IngestRecord, string | null> {
    if (!p) return null;
    const address = partyAddress(p.raw, this.ctx.region, service);
    const key = `p:${address.identifier}`;
    if (p.owner) this.owners.add(key);
    if (!this.seen.has(key)) {
      this.seen.add(key);
      yield {
        type: 'participant',
        key,
        raw: p.raw,
        name: p.name,
        source,
        ...address,
      } satisfies ParticipantRecord;
    }
    return key;
  }

  private *chat(node: XNode, key: string, source: SourceRef): Generator<IngestRecord> {
    this.owners = new Set();
    this.chatService = serviceOf(fieldText(node, 'Source'));
    const keys: string[] = [];
    for (const [i, p] of submodels(node, 'Participants').entries()) {
      const k = yield* this.participant(party(p), this.chatService, {
        ...source,
        xmlPath: `${source.xmlPath}/multiModelField[@name='Participants']/${modelStep(p, i + 1)}`,
      });
      if (k && !keys.includes(k)) keys.push(k);
    }
    const id = fieldText(node, 'Id')?.trim() ?? '';
    yield {
      type: 'thread',
      key: `thread:${key}`,
      service: this.chatService,
      title: fieldText(node, 'Name')?.trim() || null,
      isGroup: keys.length > 2 || /@g\.us$/.test(id) || fieldText(node, 'ChatType') === 'Group',
      participantKeys: keys,
      source,
    };
  }

  private *message(
    unit: Extract<ReportUnit, { kind: 'message' }>,
    source: SourceRef,
  ): Generator<IngestRecord> {
    const node = unit.node;
    const from = submodels(node, 'From')[0];
    const fromParty = from ? party(from) : null;
    const own = serviceOf(fieldText(node, 'SourceApplication') ?? fieldText(node, 'Source'));
    const service = own === 'other' ? this.chatService : own;
    const senderKey = yield* this.participant(fromParty, service, {
      ...source,
      xmlPath: `${source.xmlPath}/modelField[@name='From']/${from ? modelStep(from, 1) : 'model'}`,
    });
    for (const [i, to] of submodels(node, 'To').entries()) {
      yield* this.participant(party(to), service, {
        ...source,
        xmlPath: `${source.xmlPath}/multiModelField[@name='To']/${modelStep(to, i + 1)}`,
      });
    }
    const outgoing = fromParty?.owner || (senderKey !== null && this.owners.has(senderKey));
    const direction = senderKey === null ? 'unknown' : outgoing ? 'outgoing' : 'incoming';

    const flags: string[] = [];
    const { time, flag } = ufdrTime(fieldText(node, 'TimeStamp'));
    if (flag) flags.push(flag);
    const body = fieldText(node, 'Body');
    // U+FFFD stands where the report's bytes were not UTF-8 (or the source wrote one itself).
    if (body?.includes('\uFFFD')) flags.push('invalid-utf8');
    // A reply holds a copy of the message it answers. Not yet: the copy is not matched to the
    // original among the chat's messages (their model ids differ), so the quote names none.
    const reply = submodels(node, 'MessageExtraData').find(
      (x) => x.attrs.type === 'ReplyMessageData',
    );
    const quoted = reply ? submodels(reply, 'InstantMessage')[0] : undefined;
    const parts = attachmentsOf(node);
    if (parts.embedded) flags.push('embedded-message');
    const attachments = parts.nodes.map((a) => attachment(a, this.names));
    for (const a of attachments) if (a.flag && !flags.includes(a.flag)) flags.push(a.flag);
    if (unit.overflow) flags.push('model-too-large');

    yield {
      type: 'message',
      key: `ufdr:${unit.key}`,
      threadKey: `thread:${unit.chatKey}`,
      senderKey: direction === 'outgoing' ? null : senderKey,
      direction,
      sentAt: time,
      body,
      deleted: node.attrs.deleted_state === 'Deleted',
      attachments: attachments.map((a) => a.attachment),
      flags,
      ...(reply ? { quote: { key: null, text: quoted ? fieldText(quoted, 'Body') : null } } : {}),
      source,
    } satisfies MessageRecord;
  }

  /**
   * An SMS, MMS or Email: a message of no chat. Its thread is the people
   * other than the owner (an email's: its subject, Re: and Fwd: aside, with
   * the account it was read from), made when its first message is read.
   */
  private *standalone(
    unit: Extract<ReportUnit, { kind: 'model' }>,
    source: SourceRef,
  ): Generator<IngestRecord> {
    const node = unit.node;
    const type = node.attrs.type as 'SMS' | 'MMS' | 'Email';
    const service: Service = type === 'SMS' ? 'sms' : type === 'MMS' ? 'mms' : 'email';
    const at = (field: string, m: XNode, i: number) =>
      `${source.xmlPath}/${field === 'From' ? "modelField[@name='From']" : `multiModelField[@name='${field}']`}/${modelStep(m, i + 1)}`;
    // Texts list everyone under Parties, each with a Role; an Email has From, To, Cc and Bcc.
    const people: { party: Party; role: string; key: string }[] = [];
    for (const field of type === 'Email' ? ['From', 'To', 'Cc', 'Bcc'] : ['Parties']) {
      for (const [i, m] of submodels(node, field).entries()) {
        const p = party(m);
        const key = yield* this.participant(p, service, { ...source, xmlPath: at(field, m, i) });
        if (p && key) {
          const role = field === 'Parties' ? (fieldText(m, 'Role')?.trim() ?? '') : field;
          people.push({ party: p, role, key });
        }
      }
    }
    const folder = (fieldText(node, 'Folder') ?? '').trim().toLowerCase();
    const from = people.find((p) => p.role === 'From');
    const draft = folder === 'draft' || folder === 'drafts';
    const outgoing =
      draft ||
      folder === 'sent' ||
      folder === 'outbox' ||
      (folder !== 'inbox' && from !== undefined && from.party.owner);
    const known = folder === 'inbox' || outgoing || from !== undefined;
    const direction = !known ? 'unknown' : outgoing ? 'outgoing' : 'incoming';

    const others = [...new Set(people.filter((p) => !p.party.owner).map((p) => p.key))].sort();
    const subject = fieldText(node, 'Subject')?.trim() || null;
    const threadKey =
      type === 'Email'
        ? `thread:email:${(fieldText(node, 'Source') ?? '').trim()}:${(subject ?? '').replace(/^((re|fwd?|aw|tr)\s*:\s*)+/i, '').toLowerCase()}`
        : `thread:${service}:${others.join(',')}`;
    if (!this.threads.has(threadKey)) {
      this.threads.add(threadKey);
      yield {
        type: 'thread',
        key: threadKey,
        service,
        title: type === 'Email' ? subject : null,
        isGroup: others.length > 1,
        participantKeys: others,
        source,
      };
    }

    const flags: string[] = [];
    const { time, flag } = ufdrTime(fieldText(node, 'TimeStamp'));
    if (flag) flags.push(flag);
    if (draft) flags.push('draft');
    const text = fieldText(node, 'Body');
    // An MMS or Email's subject is part of what was sent: kept above the text.
    const body =
      subject !== null && type !== 'SMS' ? (text ? `${subject}\n\n${text}` : subject) : text;
    if (body?.includes('\uFFFD')) flags.push('invalid-utf8');
    const attachments = submodels(node, 'Attachments').map((a) => attachment(a, this.names));
    for (const a of attachments) if (a.flag && !flags.includes(a.flag)) flags.push(a.flag);
    if (unit.overflow) flags.push('model-too-large');
    yield {
      type: 'message',
      key: `ufdr:${unit.key}`,
      threadKey,
      senderKey: direction === 'incoming' ? (from?.key ?? null) : null,
      direction,
      sentAt: time,
      body,
      deleted: node.attrs.deleted_state === 'Deleted',
      attachments: attachments.map((a) => a.attachment),
      flags,
      source,
    } satisfies MessageRecord;
  }

  private *call(node: XNode, key: string, source: SourceRef): Generator<IngestRecord> {
    const models = submodels(node, 'Parties');
    const at = models.findIndex((m) => party(m) !== null && !party(m)!.owner);
    const participantKey =
      at < 0
        ? null
        : yield* this.participant(party(models[at]!), 'call', {
            ...source,
            xmlPath: `${source.xmlPath}/multiModelField[@name='Parties']/${modelStep(models[at]!, at + 1)}`,
          });
    yield {
      type: 'call',
      key: `ufdr:${key}`,
      participantKey,
      direction: callDirection(node),
      startedAt: ufdrTime(fieldText(node, 'TimeStamp')).time,
      durationSeconds: ufdrDuration(fieldText(node, 'Duration')),
      deleted: node.attrs.deleted_state === 'Deleted',
      source,
    };
  }

  private *contact(node: XNode, key: string, source: SourceRef): Generator<IngestRecord> {
    const service = serviceOf(fieldText(node, 'Source'));
    const identifiers: string[] = [];
    for (const entry of submodels(node, 'Entries')) {
      const value = fieldText(entry, 'Value')?.trim();
      if (!value) continue;
      const id = partyAddress(value, this.ctx.region, service).identifier;
      if (!identifiers.includes(id)) identifiers.push(id);
    }
    yield {
      type: 'contact',
      key: `ufdr:${key}`,
      name: fieldText(node, 'Name')?.trim() || null,
      identifiers,
      source,
    };
  }
}
