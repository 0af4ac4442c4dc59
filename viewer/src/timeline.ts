/**
 * The timeline: play/pause, step back/forward, first/last, a scrub slider and a speed choice
 * (steps per second). Playback is driven by the frame loop through `tick(dt)`.
 */
export interface TimelineElements {
  play: HTMLButtonElement;
  back: HTMLButtonElement;
  forward: HTMLButtonElement;
  first: HTMLButtonElement;
  last: HTMLButtonElement;
  scrub: HTMLInputElement;
  speed: HTMLSelectElement;
  label: HTMLElement;
}

export class Timeline {
  playing = false;
  private clock = 0;

  constructor(
    private readonly ui: TimelineElements,
    private readonly count: number,
    /**
     * Go to step k; `walk` is how long the character may take to walk there (seconds);
     * `immediate` for a discrete user action (the list and labels update at once, not at the
     * next 10 Hz refresh used while playing or scrubbing).
     */
    private readonly go: (k: number, walk: number, immediate: boolean) => void,
    private readonly current: () => number,
  ) {
    ui.scrub.min = '0';
    ui.scrub.max = String(count);
    ui.scrub.step = '1';
    ui.play.addEventListener('click', () => this.toggle());
    ui.back.addEventListener('click', () => this.step(-1));
    ui.forward.addEventListener('click', () => this.step(1));
    ui.first.addEventListener('click', () => { this.pause(); this.go(0, 0, true); });
    ui.last.addEventListener('click', () => { this.pause(); this.go(this.count, 0, true); });
    ui.scrub.addEventListener('input', () => { this.pause(); this.go(Number(ui.scrub.value), 0, false); });
    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === 'ArrowRight') this.step(1);
      else if (e.key === 'ArrowLeft') this.step(-1);
      else if (e.key === ' ') { e.preventDefault(); this.toggle(); }
    });
  }

  get speed(): number {
    return Number(this.ui.speed.value) || 1;
  }

  /** Seconds the character takes to walk one step at the current speed. */
  walkSeconds(): number {
    return Math.min(0.6, 0.8 / this.speed);
  }

  step(delta: number): void {
    this.pause();
    this.go(this.current() + delta, this.walkSeconds(), true);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.current() >= this.count) this.go(0, 0, true);
    this.playing = true;
    this.clock = 0;
    this.ui.play.textContent = '❚❚';
    this.ui.play.title = 'pause (space)';
  }

  pause(): void {
    this.playing = false;
    this.ui.play.textContent = '▶';
    this.ui.play.title = 'play (space)';
  }

  /** Advance playback by dt seconds. */
  tick(dt: number): void {
    if (!this.playing) return;
    this.clock += dt * this.speed;
    if (this.clock < 1) return;
    const n = Math.floor(this.clock);
    this.clock -= n;
    const next = Math.min(this.count, this.current() + n);
    this.go(next, this.walkSeconds(), next >= this.count);
    if (next >= this.count) this.pause();
  }

  /** Reflect step k in the slider and label. */
  show(k: number, goal: string): void {
    this.ui.scrub.value = String(k);
    this.ui.label.textContent = `step ${k} / ${this.count}${goal ? ` · ${goal}` : ''}`;
  }
}
