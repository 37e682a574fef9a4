/** Progress goes to main as parts of this whole, whatever the parser counts in. */
export const PROGRESS_UNITS = 1_000_000;
/**
 * Longer bodies are cut here and flagged: one message of hundreds of megabytes
 * (a hostile or damaged source) must not stall the ingest or the viewer; the
 * source pointer still leads to the whole of it.
 */
export const MAX_BODY = 1 << 20;
