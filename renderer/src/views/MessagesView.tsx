import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';

import type { MessageFilter, MessageView } from '../../../main/api/contract';
import { useApi, useQuery } from '../api/hooks';
import { flagWords, sentTime } from '../format';
import { Highlighted, searchTerms } from '../components/Highlighted';
import { VirtualList } from '../components/VirtualList';
import { Alert } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

/** Each row's height: three lines of text beside the sender; the whole message opens below the list. */
const ROW_REM = 6.5;
const THREAD_ROW_REM = 3.6;

/** The threads come whole with the view; a range scrolled into sight needs nothing fetched. */
const noFetch = () => undefined;

const PAGE = 200;

/**
 * The messages matching a filter, fetched a page at a time as they scroll
 * into view: the list knows only how many there are, so a million costs no
 * more than a hundred until they are looked at.
 */
function usePagedMessages(caseId: string, filter: MessageFilter) {
  const api = useApi();
  const key = JSON.stringify(filter);
  const count = useQuery('messages:count', { caseId, filter });
  const [pages, setPages] = useState(new Map<number, MessageView[]>());
  const asked = useRef(new Set<number>());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPages(new Map());
    asked.current = new Set();
    setError(null);
  }, [caseId, key]);

  const need = useCallback(
    (first: number, last: number) => {
      for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) {
        if (asked.current.has(page)) continue;
        asked.current.add(page);
        api.call('messages:page', { caseId, filter, offset: page * PAGE, limit: PAGE }).then(
          (rows) => setPages((m) => new Map(m).set(page, rows)),
          (err: unknown) => {
            asked.current.delete(page);
            setError(err instanceof Error ? err.message : String(err));
          },
        );
      }
    },
    // The filter is compared by its text: a new object with the same filter asks for nothing new.
    [api, caseId, key],
  );
  const row = (index: number) => pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  return { count: count.data, countError: count.error, error, need, row };
}

function MessageRow({
  message,
  terms,
  onOpen,
}: {
  message: MessageView;
  terms: string[];
  onOpen: () => void;
}) {
  const who =
    message.direction === 'outgoing'
      ? 'Device owner'
      : shown(message.senderName ?? message.sender ?? 'Unknown');
  return (
    <article className={`message ${message.direction}`} aria-label={`Message ${message.id}`}>
      <div className="meta">
        <span className="who">{who}</span>
        {message.senderName &&
          message.sender &&
          message.sender !== message.senderName &&
          message.direction !== 'outgoing' && (
            <span className="muted"> {shown(message.sender)}</span>
          )}
        <div className="muted">
          {sentTime(message.sentAt, message.flags)} · {message.service}
          {message.threadTitle ? ` · ${shown(message.threadTitle)}` : ''}
          {message.deleted ? ' · DELETED' : ''}
          {flagWords(message.flags).length ? ` · ${flagWords(message.flags).join(', ')}` : ''}
        </div>
        <button type="button" className="link" onClick={onOpen}>
          #{message.id}
          <span className="visually-hidden"> show the whole message</span>
        </button>
      </div>
      <div className="original clamp" lang={message.language ?? undefined}>
        <span className="lang">{message.language ?? '—'}</span>
        <Highlighted
          text={
            message.body ?? (message.voiceNote ? `(voice note) ${message.voiceNote}` : '(no text)')
          }
          terms={terms}
        />
      </div>
      <div className="translation clamp" lang="en">
        {message.translation ? (
          <>
            <span className="lang">
              en, machine{message.translation.confidence < 0.5 ? ', unsure' : ''}
              {message.translation.flags.length ? `, ${message.translation.flags.join(', ')}` : ''}
            </span>
            <Highlighted text={message.translation.text} terms={terms} />
          </>
        ) : (
          <span className="muted">No translation</span>
        )}
      </div>
    </article>
  );
}

function Filters({
  initial,
  onApply,
}: {
  initial: MessageFilter;
  onApply: (f: MessageFilter) => void;
}) {
  const [search, setSearch] = useState(initial.search ?? '');
  const [participant, setParticipant] = useState(initial.participant ?? '');
  const [languages, setLanguages] = useState((initial.languages ?? []).join(', '));
  const [direction, setDirection] = useState<string>(initial.direction ?? '');
  const [from, setFrom] = useState(initial.from ?? '');
  const [to, setTo] = useState(initial.to ?? '');

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const codes = languages
      .split(/[\s,]+/)
      .map((c) => c.trim().toLowerCase())
      .filter(Boolean);
    onApply({
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(participant.trim() ? { participant: participant.trim() } : {}),
      ...(codes.length ? { languages: codes } : {}),
      ...(direction ? { direction: direction as 'incoming' | 'outgoing' } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
  };

  return (
    <form className="filters" role="search" onSubmit={apply}>
      <label className="grow">
        Search (words, "a phrase", OR, -word)
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <label>
        Sender
        <input
          value={participant}
          onChange={(e) => setParticipant(e.target.value)}
          placeholder="number or name"
          size={14}
        />
      </label>
      <label>
        Languages
        <input
          value={languages}
          onChange={(e) => setLanguages(e.target.value)}
          placeholder="zh, ro"
          size={8}
        />
      </label>
      <label>
        Direction
        <select value={direction} onChange={(e) => setDirection(e.target.value)}>
          <option value="">both</option>
          <option value="incoming">incoming</option>
          <option value="outgoing">outgoing</option>
        </select>
      </label>
      <label>
        From
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Apply
      </button>
    </form>
  );
}

function MessageDetail({ message, terms }: { message: MessageView; terms: string[] }) {
  return (
    <section className="message-detail" aria-label={`Message ${message.id}, whole`}>
      <h3>
        Message #{message.id}{' '}
        <span className="muted">
          {sentTime(message.sentAt, message.flags)} · {message.service}
        </span>
      </h3>
      <div className="pair">
        <div lang={message.language ?? undefined}>
          <span className="lang">Original ({message.language ?? 'language not told'})</span>
          <Highlighted text={message.body ?? message.voiceNote ?? '(no text)'} terms={terms} />
        </div>
        <div lang="en">
          <span className="lang">Machine translation</span>
          {message.translation ? (
            <Highlighted text={message.translation.text} terms={terms} />
          ) : (
            <span className="muted">None</span>
          )}
        </div>
      </div>
    </section>
  );
}

export function MessagesView({
  caseId,
  total,
  initial,
  onFilter,
  onJobs,
}: {
  caseId: string;
  total: number;
  /** The filter to open with: the last one applied, or the sender the network view chose. */
  initial: MessageFilter;
  onFilter: (filter: MessageFilter) => void;
  onJobs: () => void;
}) {
  const threads = useQuery('messages:threads', { caseId });
  const [threadId, setThreadId] = useState<number | undefined>(undefined);
  const [filter, setFilterHere] = useState<MessageFilter>(initial);
  const setFilter = (next: MessageFilter) => {
    setFilterHere(next);
    onFilter(next);
  };
  const [open, setOpen] = useState<MessageView | null>(null);
  const scoped = useMemo(
    () => ({ ...filter, ...(threadId ? { threadId } : {}) }),
    [filter, threadId],
  );
  const paged = usePagedMessages(caseId, scoped);
  const terms = useMemo(() => searchTerms(filter.search ?? ''), [filter.search]);

  if (total === 0) {
    return (
      <section>
        <h2>Messages</h2>
        <p>
          No messages yet: import a phone extraction and choose <em>Read messages</em> on the
          Evidence tab.{' '}
          <button type="button" className="link" onClick={onJobs}>
            See jobs
          </button>
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="messages-heading" className="messages-view">
      <h2 id="messages-heading" className="visually-hidden">
        Messages
      </h2>
      <nav className="threads" aria-label="Threads">
        <h3>Threads</h3>
        <button
          type="button"
          className="all-threads"
          aria-pressed={threadId === undefined}
          onClick={() => setThreadId(undefined)}
        >
          All threads <span className="muted">{total.toLocaleString('en-GB')}</span>
        </button>
        {/* A phone can hold tens of thousands of threads: drawn a screen at a time too. */}
        <VirtualList
          count={threads.data?.length ?? 0}
          rowRem={THREAD_ROW_REM}
          label="Threads"
          onRange={noFetch}
          renderRow={(index) => {
            const t = threads.data![index]!;
            return (
              <button
                type="button"
                aria-pressed={threadId === t.id}
                onClick={() => setThreadId(t.id)}
              >
                <span className="thread-name">
                  {shown(t.title ?? t.people ?? `Thread ${t.id}`)}
                </span>{' '}
                <span className="muted">
                  {t.service} · {t.messages.toLocaleString('en-GB')}
                </span>
              </button>
            );
          }}
        />
      </nav>
      <div className="message-pane">
        <Filters initial={initial} onApply={setFilter} />
        <p role="status" aria-live="polite" className="count">
          {paged.countError
            ? ''
            : paged.count === undefined
              ? 'Counting…'
              : `${paged.count.toLocaleString('en-GB')} message${paged.count === 1 ? '' : 's'}`}
        </p>
        <Alert message={paged.countError ?? paged.error} />
        <div className="columns" aria-hidden="true">
          <span>From</span>
          <span>Original</span>
          <span>Translation</span>
        </div>
        <VirtualList
          count={paged.count ?? 0}
          rowRem={ROW_REM}
          label="Messages: arrow keys and Page Up or Down scroll"
          onRange={paged.need}
          renderRow={(index) => {
            const message = paged.row(index);
            return message ? (
              <MessageRow message={message} terms={terms} onOpen={() => setOpen(message)} />
            ) : (
              <div className="loading">Loading…</div>
            );
          }}
        />
        {open && <MessageDetail message={open} terms={terms} />}
      </div>
    </section>
  );
}
