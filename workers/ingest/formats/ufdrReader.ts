import { SaxesParser } from 'saxes';

import { ToexError } from '../../../main/errors.js';
import { MAX_BODY } from '../ingestLimits.js';
import type { XNode } from './ufdrNode.js';

/** One piece of the report, read whole; the report itself never is. */
export type ReportUnit =
  | { kind: 'chat'; node: XNode; path: string; key: string }
  | { kind: 'message'; node: XNode; path: string; key: string; chatKey: string; overflow: boolean }
  | { kind: 'model'; node: XNode; path: string; key: string; overflow: boolean }
  | { kind: 'problem'; key: string; message: string; path: string };

/**
 * Top-level models read as a whole; a Chat is read in pieces, its messages one at a time.
 * Not yet: report.xml's Location, Note, Calendar and other models are passed over unread.
 */
const WHOLE_MODELS = new Set(['Call', 'Contact', 'SMS', 'MMS', 'Email']);
/** One message or call with more elements than this is hostile or broken; the rest is dropped. */
const MAX_NODES = 50_000;
const MAX_DEPTH = 512;
/** XML errors listed one by one; past this they are only counted. */
const MAX_XML_PROBLEMS = 100;

interface Frame {
  name: string;
  seg: string;
  models: number;
  types: number;
}

interface Capture {
  kind: 'chat-part' | 'message' | 'model';
  stack: XNode[];
  root: XNode;
  /** For each element open inside the root: whether it was kept in the tree. */
  kept: boolean[];
  nodes: number;
  depth: number;
  path: string;
  key: string;
}

interface Chat {
  depth: number;
  node: XNode;
  path: string;
  key: string;
  headerSent: boolean;
  messages: number;
}

function quoted(value: string | undefined): string | null {
  return value !== undefined && /^[\w.:@-]{1,128}$/.test(value) ? value : null;
}

/**
 * Streams a report.xml into units: each Chat's header (its fields and
 * participants), then each of its messages, and each Call and Contact. A
 * DOCTYPE is refused outright, so no entity is ever defined, let alone
 * expanded; saxes leaves any undefined `&name;` as text and says so, which
 * becomes a problem. An XML error is reported and reading goes on; a report
 * that stops early keeps every unit read before the break.
 */
export async function* readReport(
  chunks: AsyncIterable<Buffer>,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): AsyncGenerator<ReportUnit> {
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder('utf-8');
  const frames: Frame[] = [];
  const out: ReportUnit[] = [];
  let capture: Capture | null = null;
  let chat: Chat | null = null;
  let xmlProblems = 0;
  let doctype = false;
  let rootClosed = false;
  let closing = false;
  let bytes = 0;

  const pathHere = () => frames.map((f) => f.seg).join('/');

  parser.on('doctype', () => {
    doctype = true;
  });
  parser.on('error', (err) => {
    if (closing) return;
    xmlProblems += 1;
    if (xmlProblems > MAX_XML_PROBLEMS) return;
    out.push({
      kind: 'problem',
      key: `problem:xml:${parser.line}:${parser.column}:${xmlProblems}`,
      message: `report.xml is not well-formed here (${err.message}); the text is kept as written`,
      path: '/' + pathHere(),
    });
  });

  parser.on('opentag', (tag) => {
    const attrs = tag.attributes as Record<string, string>;
    const parent = frames.at(-1);
    const depth = frames.length + 1;
    let seg = tag.name;
    if (parent && tag.name === 'model') {
      parent.models += 1;
      const id = quoted(attrs.id);
      seg = id ? `model[@id='${id}']` : `model[${parent.models}]`;
    } else if (parent && tag.name === 'modelType') {
      parent.types += 1;
      const type = quoted(attrs.type);
      seg = type ? `modelType[@type='${type}']` : `modelType[${parent.types}]`;
    } else if (
      tag.name === 'field' ||
      tag.name === 'modelField' ||
      tag.name === 'multiModelField'
    ) {
      const name = quoted(attrs.name);
      if (name) seg = `${tag.name}[@name='${name}']`;
    }
    frames.push({ name: tag.name, seg, models: 0, types: 0 });

    if (capture) {
      capture.nodes += 1;
      const keep = capture.nodes <= MAX_NODES && depth <= MAX_DEPTH;
      capture.kept.push(keep);
      if (!keep) return;
      const node: XNode = { name: tag.name, attrs, children: [], text: '', cut: false };
      capture.stack.at(-1)!.children.push(node);
      capture.stack.push(node);
      return;
    }

    const grand = frames.at(-3);
    const start = (kind: Capture['kind'], key: string) => {
      const root: XNode = { name: tag.name, attrs, children: [], text: '', cut: false };
      capture = {
        kind,
        stack: [root],
        root,
        kept: [],
        nodes: 1,
        depth,
        path: '/' + pathHere(),
        key,
      };
    };
    if (tag.name === 'model' && parent?.name === 'modelType' && grand?.name === 'decodedData') {
      const key = `${grand.types}.${parent.models}`;
      if (attrs.type === 'Chat') {
        const node: XNode = { name: 'model', attrs, children: [], text: '', cut: false };
        chat = { depth, node, path: '/' + pathHere(), key, headerSent: false, messages: 0 };
      } else if (attrs.type && WHOLE_MODELS.has(attrs.type)) {
        start('model', key);
      }
      return;
    }
    if (chat && depth === chat.depth + 1) {
      if (tag.name === 'multiModelField' && attrs.name === 'Messages') {
        // Not yet: a chat's fields or participants written after its Messages (not the order
        // Cellebrite writes) are not read; the thread is described when its messages begin.
        if (!chat.headerSent) {
          chat.headerSent = true;
          out.push({ kind: 'chat', node: chat.node, path: chat.path, key: chat.key });
        }
        return;
      }
      start('chat-part', chat.key);
      return;
    }
    if (
      chat &&
      depth === chat.depth + 2 &&
      tag.name === 'model' &&
      parent?.seg === "multiModelField[@name='Messages']"
    ) {
      chat.messages += 1;
      start('message', `${chat.key}.${chat.messages}`);
    }
  });

  const addText = (text: string) => {
    if (!capture || capture.kept.at(-1) === false) return;
    const node = capture.stack.at(-1)!;
    // Keep one character past the body cap, so the cut is seen and flagged downstream.
    const room = MAX_BODY + 1 - node.text.length;
    if (room <= 0) {
      node.cut = true;
      return;
    }
    node.text += text.length > room ? text.slice(0, room) : text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);

  parser.on('closetag', () => {
    const depth = frames.length;
    frames.pop();
    if (depth === 1) rootClosed = true;
    const c = capture;
    if (c) {
      if (depth !== c.depth) {
        if (c.kept.pop()) c.stack.pop();
        return;
      }
      capture = null;
      const overflow = c.nodes > MAX_NODES;
      if (c.kind === 'chat-part') {
        chat?.node.children.push(c.root);
        if (overflow) {
          out.push({
            kind: 'problem',
            key: `problem:${c.key}:part:${chat?.node.children.length ?? 0}`,
            message: `a part of a chat has over ${MAX_NODES} elements; it was cut short`,
            path: c.path,
          });
        }
      } else if (c.kind === 'message') {
        out.push({
          kind: 'message',
          node: c.root,
          path: c.path,
          key: c.key,
          chatKey: chat!.key,
          overflow,
        });
      } else {
        out.push({ kind: 'model', node: c.root, path: c.path, key: c.key, overflow });
      }
      return;
    }
    if (chat && depth === chat.depth) {
      if (!chat.headerSent) {
        out.push({ kind: 'chat', node: chat.node, path: chat.path, key: chat.key });
      }
      chat = null;
    }
  });

  let failure: string | null = null;
  try {
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      bytes += chunk.length;
      parser.write(decoder.decode(chunk, { stream: true }));
      if (doctype) {
        throw new ToexError(
          'bad-input',
          'report.xml declares a DOCTYPE; TOEX refuses DTDs and their entities',
        );
      }
      onBytes(bytes);
      yield* out.splice(0);
    }
    parser.write(decoder.decode());
  } catch (err) {
    if (err instanceof ToexError || signal.aborted) throw err;
    failure = `report.xml could not be read past byte ${bytes} (${(err as Error).message})`;
  }
  yield* out.splice(0);

  if (xmlProblems > MAX_XML_PROBLEMS) {
    yield {
      kind: 'problem',
      key: 'problem:xml:more',
      message: `${xmlProblems - MAX_XML_PROBLEMS} further XML errors were not listed`,
      path: '/project',
    };
  }
  if (failure !== null || !rootClosed) {
    const where = '/' + pathHere();
    closing = true;
    parser.close();
    const what = failure ?? `report.xml ends after ${bytes} bytes, inside ${where} (truncated)`;
    yield {
      kind: 'problem',
      key: 'problem:truncated',
      message: `${what}: everything read before it is kept, the model it was in is lost`,
      path: where,
    };
  } else {
    parser.close();
    yield* out.splice(0);
  }
}
