// toex-whisper: whisper.cpp behind a small pipe protocol, for the
// transcription worker. The model is loaded once; audio arrives on stdin in
// chunks (already decoded to 16 kHz mono float), and every segment goes to
// stdout as one JSON line the moment whisper.cpp produces it, so a crash loses
// at most the chunk in hand.
//
// stdin, per chunk:  "TXCH" | uint32 sample count | int64 offset in ms | float32 samples (LE)
// stdout, per line:  {"type":"ready"...} once, then per chunk any number of
//                    {"type":"segment"...}, one {"type":"chunk"...}; on failure
//                    {"type":"error","message":...} and a non-zero exit.
// Text is sent as hex bytes: whisper's tokens can split a UTF-8 character,
// and the reader, not this program, decides how to show that.

#include "whisper.h"

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#ifdef __linux__
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace {

struct Options {
  std::string model;
  std::string language = "auto";
  int threads = 2;
  bool verbose = false;
};

void emit(const std::string &line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string quoted(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string hex(const char *bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char *p = reinterpret_cast<const unsigned char *>(bytes); *p; ++p) {
    out += digits[*p >> 4];
    out += digits[*p & 15];
  }
  return out;
}

[[noreturn]] void fail(const std::string &message, int code) {
  emit("{\"type\":\"error\",\"message\":" + quoted(message) + "}");
  std::exit(code);
}

bool readExact(void *into, size_t bytes) {
  return std::fread(into, 1, bytes, stdin) == bytes;
}

void quiet(ggml_log_level, const char *, void *) {}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail("option " + arg + " needs a value", 2);
      return argv[++i];
    };
    if (arg == "--model") o.model = value();
    else if (arg == "--language") o.language = value();
    else if (arg == "--threads") o.threads = std::stoi(value());
    else if (arg == "--verbose") o.verbose = true;
    else fail("unknown option " + arg, 2);
  }
  if (o.model.empty()) fail("--model is required", 2);
  if (o.threads < 1 || o.threads > 64) fail("--threads must be between 1 and 64", 2);
  return o;
}

struct ChunkState {
  whisper_context *ctx;
  int64_t offsetMs;
  int emitted;
};

// Each segment is written as soon as whisper.cpp finishes it.
void onSegment(whisper_context *ctx, whisper_state *, int newSegments, void *user) {
  auto *chunk = static_cast<ChunkState *>(user);
  const int total = whisper_full_n_segments(ctx);
  for (int s = total - newSegments; s < total; ++s) {
    const int64_t t0 = chunk->offsetMs + whisper_full_get_segment_t0(ctx, s) * 10;
    const int64_t t1 = chunk->offsetMs + whisper_full_get_segment_t1(ctx, s) * 10;
    std::string tokens = "[";
    double logprobSum = 0;
    int textTokens = 0;
    const int n = whisper_full_n_tokens(ctx, s);
    for (int t = 0; t < n; ++t) {
      const whisper_token_data data = whisper_full_get_token_data(ctx, s, t);
      if (data.id >= whisper_token_eot(ctx)) continue;  // timestamps and other special tokens
      logprobSum += data.plog;
      ++textTokens;
      if (tokens.size() > 1) tokens += ",";
      char timing[160];
      std::snprintf(timing, sizeof timing, "\"p\":%.4f,\"t0\":%lld,\"t1\":%lld", data.p,
                    static_cast<long long>(chunk->offsetMs + data.t0 * 10),
                    static_cast<long long>(chunk->offsetMs + data.t1 * 10));
      tokens += "{\"hex\":\"" + hex(whisper_full_get_token_text(ctx, s, t)) + "\"," + timing + "}";
    }
    tokens += "]";
    char head[200];
    std::snprintf(head, sizeof head,
                  "{\"type\":\"segment\",\"t0\":%lld,\"t1\":%lld,\"avgLogprob\":%.4f,",
                  static_cast<long long>(t0), static_cast<long long>(t1),
                  textTokens ? logprobSum / textTokens : 0.0);
    emit(std::string(head) + "\"textHex\":\"" + hex(whisper_full_get_segment_text(ctx, s)) +
         "\",\"tokens\":" + tokens + "}");
    ++chunk->emitted;
  }
}

}  // namespace

// A runner that outlives its worker (killed, crashed) would go on computing
// for nobody, and whisper.cpp's spinning threads would starve the worker that
// resumes the job. It dies with its parent, and on a closed stdout (Node
// ignores SIGPIPE, and children inherit that).
void dieWithParent() {
  std::signal(SIGPIPE, SIG_DFL);
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) std::exit(6);
#endif
}

int main(int argc, char **argv) {
  dieWithParent();
  const Options options = parse(argc, argv);
  if (!options.verbose) whisper_log_set(quiet, nullptr);

  // whisper.cpp 1.5 prints and returns null on a bad file rather than failing
  // loudly; a null here is reported, never taken as an empty model.
  whisper_context *ctx = whisper_init_from_file_with_params(options.model.c_str(), whisper_context_default_params());
  if (ctx == nullptr) fail("the model could not be loaded (not a whisper.cpp ggml model, or damaged)", 3);
  const bool multilingual = whisper_is_multilingual(ctx) != 0;
  if (!multilingual && options.language != "en" && options.language != "auto") {
    fail("this model knows English only", 2);
  }
  if (options.language != "auto" && whisper_lang_id(options.language.c_str()) < 0) {
    fail("unknown language " + options.language, 2);
  }
  emit(std::string("{\"type\":\"ready\",\"multilingual\":") + (multilingual ? "true" : "false") + "}");

  std::vector<float> samples;
  for (;;) {
    char magic[4];
    const size_t got = std::fread(magic, 1, 4, stdin);
    if (got == 0 && std::feof(stdin)) break;
    if (got != 4 || std::memcmp(magic, "TXCH", 4) != 0) fail("malformed chunk header", 4);
    uint32_t count = 0;
    int64_t offsetMs = 0;
    if (!readExact(&count, sizeof count) || !readExact(&offsetMs, sizeof offsetMs)) fail("truncated chunk header", 4);
    if (count == 0 || count > 16000u * 60 * 30) fail("a chunk must hold between 1 sample and 30 minutes", 4);
    samples.resize(count);
    if (!readExact(samples.data(), count * sizeof(float))) fail("truncated chunk", 4);

    whisper_full_params params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
    params.n_threads = options.threads;
    params.language = multilingual ? options.language.c_str() : "en";
    params.translate = false;
    params.no_context = true;  // each chunk stands alone: no repetition carried across
    params.token_timestamps = true;
    params.print_progress = false;
    params.print_realtime = false;
    params.print_timestamps = false;
    params.suppress_non_speech_tokens = true;
    ChunkState chunk{ctx, offsetMs, 0};
    params.new_segment_callback = onSegment;
    params.new_segment_callback_user_data = &chunk;

    if (whisper_full(ctx, params, samples.data(), static_cast<int>(samples.size())) != 0) {
      fail("whisper.cpp failed on the chunk at " + std::to_string(offsetMs) + " ms", 5);
    }
    const int lang = whisper_full_lang_id(ctx);
    char done[160];
    std::snprintf(done, sizeof done, "{\"type\":\"chunk\",\"offsetMs\":%lld,\"segments\":%d,\"language\":%s}",
                  static_cast<long long>(offsetMs), chunk.emitted,
                  quoted(lang >= 0 ? whisper_lang_str(lang) : "").c_str());
    emit(done);
  }
  whisper_free(ctx);
  return 0;
}
