/**
 * Progress for long phases, on stderr: a redrawn bar when stderr is a TTY, otherwise a
 * plain line every 10%. Silent when `quiet`.
 */
export class Progress {
  private done = 0;
  private lastPct = -1;
  private readonly start = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly label: string, private readonly total: number, private readonly quiet = false) {
    if (!quiet && total > 0 && !this.tty) process.stderr.write(`${label}: 0/${total}\n`);
  }

  tick(n = 1, extra = ''): void {
    this.done += n;
    if (this.quiet || this.total <= 0) return;
    const pct = Math.min(100, Math.floor((this.done / this.total) * 100));
    const secs = ((Date.now() - this.start) / 1000).toFixed(0);
    if (this.tty) {
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${this.done}/${this.total} ${secs}s ${extra}   `);
      if (this.done >= this.total) process.stderr.write('\n');
    } else if (Math.floor(pct / 10) > Math.floor(this.lastPct / 10) || this.done >= this.total) {
      process.stderr.write(`${this.label}: ${this.done}/${this.total} (${pct}%) ${secs}s ${extra}\n`);
    }
    this.lastPct = pct;
  }
}
