/**
 * The whisper.cpp bindings on the npm registry that bench/bindings tries,
 * pinned to the versions surveyed, and those it leaves out with the reason.
 * The README's "Engine choice" section has the whole survey.
 */

/** A build step a package needs before first use, run in its own folder. */
export interface BuildStep {
  /** Folder inside node_modules/<package>/ where the command runs. */
  cwd: string;
  command: string;
  args: string[];
  /** File that exists once the build has worked, relative to cwd. */
  produces: string;
  /** What the package itself does here, for the report. */
  why: string;
}

export interface Candidate {
  /** Short id, also the install folder's name and runBinding's switch. */
  id: string;
  /** npm package name and pinned version. */
  name: string;
  version: string;
  /** whisper.cpp inside, as found in the tarball. */
  whisperCpp: string;
  /** How it decodes: its API or its CLI's default, with the settings bench/bindings gives. */
  decoding: 'greedy' | 'beam 5';
  build?: BuildStep;
}

const jobs = '-j2';

export const candidates: Candidate[] = [
  {
    id: 'fugood',
    name: '@fugood/whisper.node',
    version: '1.1.3',
    whisperCpp: '1.9.3 (prebuilt)',
    decoding: 'greedy',
  },
  {
    id: 'napi-rs',
    name: '@napi-rs/whisper',
    version: '0.0.4',
    whisperCpp: '~1.7 (prebuilt)',
    decoding: 'greedy',
  },
  {
    id: 'smart-whisper',
    name: 'smart-whisper',
    version: '0.8.1',
    whisperCpp: '~1.7 (node-gyp)',
    decoding: 'greedy',
  },
  {
    id: 'spader',
    name: '@spader/node-whisper-cpp',
    version: '0.2.2',
    whisperCpp: '1.8.3 (prebuilt)',
    decoding: 'greedy',
  },
  {
    id: 'kutalia',
    name: '@kutalia/whisper-node-addon',
    version: '1.1.0',
    whisperCpp: '1.7.6 (prebuilt)',
    decoding: 'greedy',
  },
  {
    id: 'whisper-node-addon',
    name: 'whisper-node-addon',
    version: '1.0.2',
    whisperCpp: '1.7.4 (prebuilt)',
    decoding: 'greedy',
  },
  {
    id: 'nodejs-whisper',
    name: 'nodejs-whisper',
    version: '0.3.1',
    whisperCpp: '1.9.1 (cmake)',
    decoding: 'beam 5',
    build: {
      cwd: 'cpp/whisper.cpp',
      command: 'sh',
      args: [
        '-c',
        `cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build ${jobs} --target whisper-cli`,
      ],
      produces: 'build/bin/whisper-cli',
      why: 'the cmake build its model downloader runs (that downloader itself needs a model hub)',
    },
  },
  {
    id: 'fluester',
    name: '@pr0gramm/fluester',
    version: '0.9.15',
    whisperCpp: '1.6.2 (make)',
    decoding: 'beam 5',
    build: {
      cwd: 'lib/whisper.cpp',
      command: 'make',
      args: [jobs, 'main'],
      produces: 'main',
      why: 'what its compile-whisper command runs (make), on two jobs',
    },
  },
];

/** Surveyed, not tried: each cannot run here, for the reason given. */
export const leftOut: { name: string; reason: string }[] = [
  {
    name: '@lumen-labs-dev/whisper-node@0.4.1',
    reason: 'depends on ffmpeg-static, whose install script downloads ffmpeg from GitHub',
  },
  {
    name: 'whisper-cpp-node@0.2.12',
    reason: 'prebuilt binaries for darwin-arm64 and win32 only, no linux-x64 and no source',
  },
  {
    name: '@remotion/install-whisper-cpp@4.0.527',
    reason: 'clones or downloads whisper.cpp from GitHub at run time',
  },
  {
    name: '@transcribe/shout, @remotion/whisper-web, @timur00kh/whisper.wasm, whisper.cpp@1.0.3',
    reason: 'WASM builds for the browser (Web Workers, fetch); not a Node engine',
  },
];
