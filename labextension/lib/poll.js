// A poller that runs a task every `interval` ms while it is active (the panel is visible), never two at
// once, and backs off (up to `maxInterval`) while the task fails. Pure timers: unit-tested with node --test.
export class Poller {
    constructor(options) {
        this.options = options;
        this._active = false;
        this._running = false;
        this._failures = 0;
        this._timer = null;
    }
    get active() {
        return this._active;
    }
    get running() {
        return this._running;
    }
    /** The delay before the next tick (grows while the task keeps failing). */
    get delay() {
        const max = this.options.maxInterval ?? this.options.interval * 16;
        return Math.min(max, this.options.interval * 2 ** this._failures);
    }
    start() {
        if (this._active) {
            return;
        }
        this._active = true;
        void this.tick();
    }
    stop() {
        this._active = false;
        if (this._timer !== null) {
            clearTimeout(this._timer);
            this._timer = null;
        }
    }
    /** Run the task now (unless it is running) and schedule the next tick. */
    async tick() {
        if (this._running) {
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
        }
        catch (error) {
            this._failures += 1;
            this.options.onError?.(error);
        }
        finally {
            this._running = false;
        }
        if (this._active) {
            this._timer = setTimeout(() => void this.tick(), this.delay);
        }
    }
}
//# sourceMappingURL=poll.js.map