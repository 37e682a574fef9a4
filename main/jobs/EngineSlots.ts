/** One engine's place in the workstation-wide limit, held while its job runs. */
export interface EngineSlot {
  /** Tells other processes the holder is still alive. */
  heartbeat(): void;
  release(): void;
}

/**
 * How many engine jobs may run at once across every `toex` process on this
 * machine. Whisper's threads spin while they wait for a core, so two engines
 * on two cores slow each other many times over instead of sharing.
 */
export interface EngineSlots {
  /** A free slot for this job, or undefined when every slot is taken. */
  tryAcquire(jobId: string): EngineSlot | undefined;
}

/** The stage a queued job shows while every engine slot is taken. */
export const WAITING_FOR_ENGINE = 'waiting for a free engine';
