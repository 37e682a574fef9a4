import { ToexError } from '../../errors.js';
import { checkDocument } from './checkDocument.js';
import { renderDocx } from './renderDocx.js';
import { renderJson } from './renderJson.js';
import { renderSrt } from './renderSrt.js';
import { renderTxt } from './renderTxt.js';
import { renderVtt } from './renderVtt.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type TranscriptDocument,
} from './TranscriptDocument.js';

const renderers: Record<ExportFormat, (doc: TranscriptDocument) => Buffer> = {
  txt: renderTxt,
  srt: renderSrt,
  vtt: renderVtt,
  json: renderJson,
  docx: renderDocx,
};

/**
 * The one way to export a transcript: checks the document, then writes it in
 * the format asked for. Pure: the same document gives the same bytes, and a
 * document that cannot be written faithfully is refused with a bad-input.
 */
export function renderTranscript(doc: TranscriptDocument, format: ExportFormat): Buffer {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ToexError(
      'bad-input',
      `unknown export format "${String(format)}" (use ${EXPORT_FORMATS.join(', ')})`,
    );
  }
  return renderers[format](checkDocument(doc));
}
