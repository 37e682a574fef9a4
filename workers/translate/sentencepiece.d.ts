/** The parts of @agnai/sentencepiece-js (SentencePiece built to WebAssembly) that TOEX uses. */
declare module '@agnai/sentencepiece-js' {
  export class SentencePieceProcessor {
    /** Reads a SentencePiece .model file. */
    load(path: string): Promise<void>;
    /** The text's pieces, normalised as the model says (nmt_nfkc for OPUS-MT). */
    encodePieces(text: string): string[];
  }
}
