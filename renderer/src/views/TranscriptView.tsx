import { Fragment, useEffect, useRef, useState, type KeyboardEvent } from 'react';

import type { SegmentHistory, SegmentView } from '../../../main/api/contract';
import { messageOf, useApi, useQuery } from '../api/hooks';
import { clock, dateTime } from '../format';
import { Alert, Waiting } from '../components/Alert';
import { showControls as shown } from '../../../main/visibleText';

/** Below this the engine was unsure of a word: it is underlined for checking. */
const UNSURE_WORD = 0.5;

/** A pause this long after a segment or word ends leaves nothing highlighted. */
const GAP_MS = 1500;

/** The last of the timed items to have started by `ms`, unless it ended well before. */
function lastStarted<T extends { startMs: number; endMs: number }>(
  items: readonly T[],
  ms: number,
  gap: number,
) {
  let found: T | undefined;
  for (const item of items) {
    if (item.startMs > ms) break;
    found = item;
  }
  return found && ms < found.endMs + gap ? found : undefined;
}

/** The playing position, read every frame while the recording plays. */
function usePlayhead(el: HTMLAudioElement | null): number {
  const [ms, setMs] = useState(0);
  useEffect(() => {
    if (!el) return;
    let frame = 0;
    const read = () => setMs(el.currentTime * 1000);
    const tick = () => {
      read();
      if (!el.paused) frame = requestAnimationFrame(tick);
    };
    const onPlay = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    el.addEventListener('play', onPlay);
    el.addEventListener('seeked', read);
    el.addEventListener('timeupdate', read);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('play', onPlay);
      el.removeEventListener('seeked', read);
      el.removeEventListener('timeupdate', read);
    };
  }, [el]);
  return ms;
}

function EditForm({
  segment,
  onSave,
  onCancel,
}: {
  segment: SegmentView;
  onSave: (text: string, reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [text, setText] = useState(segment.text.trim());
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setError(null);
    try {
      await onSave(text, reason);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') onCancel();
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
  };

  return (
    <form
      className="edit"
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Corrected text
        <textarea
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={3}
          required
        />
      </label>
      <label>
        Why (kept with the version)
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          placeholder={`checked against the audio at ${clock(segment.startMs)}`}
        />
      </label>
      <Alert message={error} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={!text.trim() || !reason.trim()}>
          Save as new version
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted">Ctrl+Enter saves, Esc cancels</span>
      </div>
    </form>
  );
}

function History({ entries }: { entries: SegmentHistory }) {
  return (
    <ol className="history" aria-label="Versions of this segment">
      {entries.map((v) => (
        <li key={v.version}>
          <span className="muted">
            v{v.version} · {v.author} · {dateTime(v.createdAt)} · {v.reason}
          </span>
          <div>{shown(v.text)}</div>
        </li>
      ))}
    </ol>
  );
}

export function TranscriptView({
  caseId,
  transcriptId,
  onBack,
  onChanged,
}: {
  caseId: string;
  transcriptId: number;
  onBack: () => void;
  onChanged: () => void;
}) {
  const api = useApi();
  const view = useQuery('transcripts:get', { caseId, transcriptId });
  // The player appears only once the transcript is read: held in state, so the playhead follows it.
  const [audio, setAudio] = useState<HTMLAudioElement | null>(null);
  const nowMs = usePlayhead(audio);
  const [editing, setEditing] = useState<number | null>(null);
  const [history, setHistory] = useState<{ segmentId: number; entries: SegmentHistory } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const current = useRef<HTMLLIElement | null>(null);

  const segments = view.data?.segments ?? [];
  const playing = lastStarted(segments, nowMs, GAP_MS);
  const playingWord = playing && lastStarted(playing.words, nowMs, GAP_MS);

  useEffect(() => {
    if (audio && !audio.paused) current.current?.scrollIntoView({ block: 'nearest' });
  }, [playing?.id]);

  const seek = (ms: number) => {
    if (!audio) return;
    audio.currentTime = ms / 1000;
    void audio.play().catch(() => undefined);
  };

  const save = async (segment: SegmentView, text: string, reason: string) => {
    await api.call('transcripts:edit', {
      caseId,
      transcriptId,
      segmentId: segment.id,
      text,
      reason,
      baseVersion: view.data!.transcript.version,
    });
    setEditing(null);
    setHistory(null);
    view.reload();
    onChanged();
  };

  const showHistory = async (segmentId: number) => {
    if (history?.segmentId === segmentId) {
      setHistory(null);
      return;
    }
    try {
      setHistory({
        segmentId,
        entries: await api.call('transcripts:history', { caseId, transcriptId, segmentId }),
      });
    } catch (err) {
      setError(messageOf(err));
    }
  };

  if (!view.data) {
    return <Waiting error={view.error} doing="Reading the transcript…" />;
  }
  const t = view.data.transcript;
  const unsure = segments.filter((s) => s.lowConfidence).length;

  return (
    <section aria-labelledby="transcript-heading" className="transcript">
      <button type="button" className="link" onClick={onBack}>
        ← All transcripts
      </button>
      <h2 id="transcript-heading">
        Transcript {t.id}: {shown(t.name)}
      </h2>
      <p className="muted">
        Version {t.version}
        {t.signedOff ? ', signed off' : ', not signed off'} · {t.modelId} · language{' '}
        {t.language ?? 'unknown'} · {segments.length} segments
        {unsure ? ` · ${unsure} to check against the audio` : ''}
      </p>
      {/* Not yet: a recording the browser cannot play (AMR, WMA) is not converted for it. */}
      <div className="player">
        <audio ref={setAudio} controls preload="metadata" src={`.${view.data.audio.path}`}>
          Your browser cannot play this recording.
        </audio>
        <span className="muted">
          Click a word to hear it; the word being played is highlighted.
        </span>
      </div>
      <Alert message={error} />
      <ol className="segments">
        {segments.map((s) => {
          const isCurrent = s.id === playing?.id;
          return (
            <li
              key={s.id}
              ref={isCurrent ? current : undefined}
              className={`segment${isCurrent ? ' current' : ''}${s.lowConfidence ? ' unsure' : ''}`}
              aria-current={isCurrent ? 'true' : undefined}
            >
              <div className="segment-head">
                <button type="button" className="time" onClick={() => seek(s.startMs)}>
                  {clock(s.startMs)}
                  <span className="visually-hidden"> play from here</span>
                </button>
                {s.speaker && <span className="speaker">{shown(s.speaker)}</span>}
                {s.lowConfidence && <span className="flag">Check against the audio</span>}
                {s.edited && <span className="flag edited">Corrected</span>}
                {t.state === 'done' && editing !== s.id && (
                  <button type="button" onClick={() => setEditing(s.id)}>
                    Edit<span className="visually-hidden"> segment at {clock(s.startMs)}</span>
                  </button>
                )}
                {s.edited && (
                  <button
                    type="button"
                    aria-expanded={history?.segmentId === s.id}
                    onClick={() => void showHistory(s.id)}
                  >
                    History
                    <span className="visually-hidden"> of segment at {clock(s.startMs)}</span>
                  </button>
                )}
              </div>
              {editing === s.id ? (
                <EditForm
                  segment={s}
                  onSave={(text, reason) => save(s, text, reason)}
                  onCancel={() => setEditing(null)}
                />
              ) : s.edited || s.words.length === 0 ? (
                <p className="text">{shown(s.text)}</p>
              ) : (
                <p className="text">
                  {s.words.map((w, i) => (
                    <Fragment key={i}>
                      {i > 0 && !/^[,.;:!?%)]/.test(w.text) && ' '}
                      <span
                        className={`word${w === playingWord ? ' now' : ''}${w.p < UNSURE_WORD ? ' unsure-word' : ''}`}
                        title={
                          w.p < UNSURE_WORD
                            ? `machine unsure (${Math.round(w.p * 100)}%)`
                            : undefined
                        }
                        onClick={() => seek(w.startMs)}
                      >
                        {shown(w.text)}
                      </span>
                    </Fragment>
                  ))}
                </p>
              )}
              {history?.segmentId === s.id && <History entries={history.entries} />}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
