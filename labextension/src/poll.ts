// A poller that runs a task every `interval` ms while it is active (the panel is visible), never two at
// once, and backs off (up to `maxInterval`) while the task fails. Pure timers: unit-tested with node --test.

export interface IPollerOptions {
  interval: number;
  maxInterval?: number;
  task: () => Promise<void>;
  onError?: (error: unknown) => void;
}

export class Poller {
  constructor(private readonly options: IPollerOptions) {}

  get active(): boolean {
    return this._active;
  }

  /** The delay before the next tick (grows while the task keeps failing). */
  get delay(): number {
    const max = this.options.maxInterval ?? this.options.interval * 16;
    return Math.min(max, this.options.interval * 2 ** this._failures);
  }

  start(): void {
    if (this._active) {
      return;
    }
    this._active = true;
    void this.tick();
  }

  stop(): void {
    this._active = false;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** Run the task now and schedule the next tick; while the task is running, run it again as soon as it
   * ends (what changed meanwhile, a new run say, is not left for the next interval). */
  async tick(): Promise<void> {
    if (this._running) {
      this._again = true;
      return;
    }
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._running = true;
    try {
      await this.options.task();
      this._failures = 0;
    } catch (error) {
      this._failures += 1;
      this.options.onError?.(error);
    } finally {
      this._running = false;
    }
    if (this._again) {
      this._again = false;
      return this.tick();
    }
    if (this._active) {
      this._timer = setTimeout(() => void this.tick(), this.delay);
    }
  }

  private _active = false;
  private _running = false;
  private _again = false;
  private _failures = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
